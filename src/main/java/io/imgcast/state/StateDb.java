package io.imgcast.state;

import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;
import io.imgcast.api.Session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The server's own state: {@code state.db} (SQLite, WAL) in the state directory, apart from the
 * store and never exported. Holds the known machines (hosts, by MAC), their groups, the rule for
 * unknown machines, and sessions with their machines' results. The schema is brought up to date
 * on open ({@link Migrations}). One connection, used under this object's lock; another process
 * (the CLI while the server is stopped) may open the same file.
 */
public final class StateDb implements AutoCloseable {
    public static final String FILE = "state.db";
    /** The rules for a machine the server does not know (anything else names an image). */
    public static final List<String> DEFAULT_RULES = List.of("ignore", "local-disk", "register", "menu");
    private static final String UNKNOWN_DEFAULT = "unknown_default";

    private final Path dir;
    private final Connection c;

    private StateDb(Path dir, Connection c) {
        this.dir = dir;
        this.c = c;
    }

    /** Opens (creating if need be) the state in {@code dir}, up to date. */
    public static StateDb open(Path dir) {
        return open(dir, Migrations.latest());
    }

    /** Opens the state with the schema brought up to step {@code upTo} only (tests: an older version's database). */
    static StateDb open(Path dir, int upTo) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(FILE));
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=10000");
            }
            StateDb db = new StateDb(dir, c);
            db.migrate(upTo);
            return db;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the server state " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The steps applied, in order. */
    public synchronized List<Integer> versions() {
        List<Integer> v = new ArrayList<>();
        query("SELECT version FROM schema_version ORDER BY version", ps -> {}, rs -> v.add(rs.getInt(1)));
        return v;
    }

    private synchronized void migrate(int upTo) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)");
        }
        for (int v = 1; v <= upTo; v++) {
            int step = v;
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // BEGIN IMMEDIATE semantics through the first write: two processes opening an old state at once apply each step once
                int added = s.executeUpdate("INSERT OR IGNORE INTO schema_version(version, applied) VALUES (" + step + ", '" + Instant.now() + "')");
                if (added == 1) {
                    for (String sql : Migrations.STEPS.get(step - 1)) s.execute(sql);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw new SQLException("schema step " + step + ": " + e.getMessage(), e);
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    // ---- hosts

    /** Adds the host, or replaces the one with its MAC; another host with its name is an error. */
    public synchronized void putHost(Host h) {
        Host other = hostByName(h.name());
        if (other != null && !other.mac().equals(h.mac())) {
            throw new IllegalArgumentException("host name '" + h.name() + "' is taken by " + other.mac());
        }
        update("INSERT INTO host(mac, name, image, grp, disk, then_action, task, fresh, created) VALUES (?,?,?,?,?,?,?,?,?)"
                        + " ON CONFLICT(mac) DO UPDATE SET name=excluded.name, image=excluded.image, grp=excluded.grp,"
                        + " disk=excluded.disk, then_action=excluded.then_action, task=excluded.task, fresh=excluded.fresh,"
                        + " booted_done=NULL",
                h.mac(), h.name(), h.image(), h.group(), h.disk(), h.then(), h.task(), h.fresh() != null && h.fresh() ? 1 : null,
                Instant.now().toString());
    }

    /**
     * Network boot finished with the host of {@code mac}: it received {@code image} (it boots its
     * local disk until its entry is written again), or captured (its task goes back to deploy).
     */
    public synchronized void bootDone(String mac, String image, boolean captured) {
        if (captured) update("UPDATE host SET task = NULL WHERE mac = ?", mac);
        else update("UPDATE host SET booted_done = ? WHERE mac = ?", image, mac);
    }

    /** The image network boot last deployed onto the host of {@code mac} since its entry was written; null: none. */
    public synchronized String bootedDone(String mac) {
        List<String> v = new ArrayList<>();
        query("SELECT booted_done FROM host WHERE mac = ?", ps -> ps.setString(1, mac), rs -> v.add(rs.getString(1)));
        return v.isEmpty() ? null : v.getFirst();
    }

    public synchronized Host host(String mac) {
        List<Host> l = hosts("WHERE mac = ?", mac);
        return l.isEmpty() ? null : l.getFirst();
    }

    public synchronized Host hostByName(String name) {
        List<Host> l = hosts("WHERE name = ?", name);
        return l.isEmpty() ? null : l.getFirst();
    }

    public synchronized List<Host> hosts() {
        return hosts("ORDER BY name");
    }

    /** Removes the host with that MAC or name; whether there was one. */
    public synchronized boolean removeHost(String macOrName) {
        return update("DELETE FROM host WHERE mac = ? OR name = ?", macOrName, macOrName) > 0;
    }

    private List<Host> hosts(String where, Object... args) {
        List<Host> out = new ArrayList<>();
        query("SELECT mac, name, image, grp, disk, then_action, task, fresh FROM host " + where, ps -> bind(ps, args),
                rs -> out.add(new Host(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getObject(8) == null ? null : Boolean.TRUE)));
        return out;
    }

    // ---- groups

    public synchronized void putGroup(HostGroup g) {
        update("INSERT INTO grp(name, image, expect, wait_seconds, created) VALUES (?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET"
                + " image=excluded.image, expect=excluded.expect, wait_seconds=excluded.wait_seconds",
                g.name(), g.image(), g.expect(), g.waitSeconds(), Instant.now().toString());
    }

    /** The group with its members' names, or null. */
    public synchronized HostGroup group(String name) {
        List<HostGroup> l = groups("WHERE name = ?", name);
        return l.isEmpty() ? null : l.getFirst();
    }

    public synchronized List<HostGroup> groups() {
        return groups("ORDER BY name");
    }

    /** Removes an empty group; whether there was one. A group with members is an error naming them. */
    public synchronized boolean removeGroup(String name) {
        HostGroup g = group(name);
        if (g == null) return false;
        if (!g.members().isEmpty()) {
            throw new IllegalArgumentException("group '" + name + "' still has " + g.members().size() + " host(s): "
                    + String.join(", ", g.members()) + "; remove them or move them to another group first");
        }
        return update("DELETE FROM grp WHERE name = ?", name) > 0;
    }

    private List<HostGroup> groups(String where, Object... args) {
        List<HostGroup> out = new ArrayList<>();
        query("SELECT name, image, expect, wait_seconds FROM grp " + where, ps -> bind(ps, args), rs -> out.add(new HostGroup(
                rs.getString(1), rs.getString(2), (Integer) rs.getObject(3), (Integer) rs.getObject(4), null)));
        List<HostGroup> full = new ArrayList<>();
        for (HostGroup g : out) {
            List<String> members = new ArrayList<>();
            query("SELECT name FROM host WHERE grp = ? ORDER BY name", ps -> ps.setString(1, g.name()), rs -> members.add(rs.getString(1)));
            full.add(new HostGroup(g.name(), g.image(), g.expect(), g.waitSeconds(), members));
        }
        return full;
    }

    // ---- unknown machines

    /** {@code ignore}, {@code local-disk}, {@code register}, {@code menu} or an image name; {@code ignore} until set. */
    public synchronized String unknownDefault() {
        List<String> v = new ArrayList<>();
        query("SELECT value FROM setting WHERE key = ?", ps -> ps.setString(1, UNKNOWN_DEFAULT), rs -> v.add(rs.getString(1)));
        return v.isEmpty() ? "ignore" : v.getFirst();
    }

    public synchronized void setUnknownDefault(String rule) {
        update("INSERT INTO setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", UNKNOWN_DEFAULT, rule);
    }

    // ---- sessions

    /** A new session of {@code groups}, in state {@code state}; its id. */
    public synchronized long newSession(List<String> groups, String state) {
        update("INSERT INTO session(groups, state, started) VALUES (?, ?, ?)", String.join(",", groups), state, Instant.now().toString());
        long[] id = new long[1];
        query("SELECT last_insert_rowid()", ps -> {}, rs -> id[0] = rs.getLong(1));
        return id[0];
    }

    /** Sets a session's groups and state; an ended state also sets its end time. */
    public synchronized void updateSession(long id, List<String> groups, String state, boolean ended) {
        update("UPDATE session SET groups = ?, state = ?, ended = CASE WHEN ? THEN ? ELSE ended END WHERE id = ?",
                String.join(",", groups), state, ended, Instant.now().toString(), id);
    }

    /** Records (or updates) one machine's part in a session. */
    public synchronized void putResult(long session, Session.Result r) {
        update("INSERT INTO session_machine(session, name, mac, image, state, seconds, bytes, error) VALUES (?,?,?,?,?,?,?,?)"
                        + " ON CONFLICT(session, name) DO UPDATE SET mac=excluded.mac, image=excluded.image, state=excluded.state,"
                        + " seconds=excluded.seconds, bytes=excluded.bytes, error=excluded.error",
                session, r.name(), r.mac(), r.image(), r.state(), r.seconds(), r.bytes(), r.error());
    }

    /** Sessions newest first, without their machines. */
    public synchronized List<Session> sessions() {
        return sessions("ORDER BY id DESC", false);
    }

    /** The session with its machines, or null. */
    public synchronized Session session(long id) {
        List<Session> l = sessions("WHERE id = " + id, true);
        return l.isEmpty() ? null : l.getFirst();
    }

    private List<Session> sessions(String where, boolean withMachines) {
        List<Session> out = new ArrayList<>();
        query("SELECT id, groups, state, started, ended FROM session " + where, ps -> {}, rs -> out.add(new Session(rs.getLong(1),
                rs.getString(2).isEmpty() ? List.of() : Arrays.asList(rs.getString(2).split(",")), rs.getString(3), rs.getString(4),
                rs.getString(5), null)));
        if (!withMachines) return out;
        List<Session> full = new ArrayList<>();
        for (Session s : out) {
            List<Session.Result> ms = new ArrayList<>();
            query("SELECT mac, name, image, state, seconds, bytes, error FROM session_machine WHERE session = ? ORDER BY name",
                    ps -> ps.setLong(1, s.id()), rs -> ms.add(new Session.Result(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), (Double) rs.getObject(5), rs.getObject(6) == null ? null : rs.getLong(6), rs.getString(7))));
            full.add(new Session(s.id(), s.groups(), s.state(), s.started(), s.ended(), ms));
        }
        return full;
    }

    // ---- plumbing

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Binder b, Row row) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) row.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("server state " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    private int update(String sql, Object... args) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("server state " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) ps.setNull(i + 1, Types.NULL);
            else if (a instanceof Boolean bo) ps.setInt(i + 1, bo ? 1 : 0);
            else ps.setObject(i + 1, a);
        }
    }

    @Override
    public synchronized void close() {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
