package io.imgcast.server;

import com.sun.net.httpserver.HttpExchange;
import io.imgcast.api.Assignment;
import io.imgcast.api.ControlJson;
import io.imgcast.api.ErrorReply;
import io.imgcast.api.Event;
import io.imgcast.api.GroupList;
import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;
import io.imgcast.api.HostList;
import io.imgcast.api.MachineState;
import io.imgcast.api.Session;
import io.imgcast.api.SessionList;
import io.imgcast.api.SessionRequest;
import io.imgcast.state.Inventory;
import io.imgcast.state.Mac;
import io.imgcast.state.StateDb;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;

/**
 * The server's inventory and sessions over HTTP, on the control API's server. Routes (JSON):
 * <ul>
 * <li>{@code GET /api/v1/assignment?mac=MAC} (or POST {@code {"mac":..}}) → {@link Assignment}: what that machine should do;
 * <li>{@code GET|POST /api/v1/admin/hosts} ({@link HostList} / {@link Host}); {@code DELETE /api/v1/admin/hosts/MAC-OR-NAME};
 * <li>{@code POST /api/v1/admin/default} {@code {"unknown_default":RULE}};
 * <li>{@code GET|POST /api/v1/admin/groups} ({@link GroupList} / {@link HostGroup}); {@code DELETE /api/v1/admin/groups/NAME};
 * <li>{@code GET /api/v1/admin/sessions} → {@link SessionList}; {@code POST} {@link SessionRequest} → {@link Session};
 *     {@code GET /api/v1/admin/sessions/ID}; {@code POST /api/v1/admin/sessions/ID/stop} and {@code .../cancel}.
 * </ul>
 * Everything an operator changes is under {@code /api/v1/admin/}, and every request there must
 * carry the server's admin token (header {@code X-Imgcast-Token}; 403 without it, and always when
 * the server has no token). The assignment stays open: a machine asks it before it has anything. The server asks it whether a joining machine is admitted
 * ({@link #admit}), tells it who joined and finished, and holds data while {@link #mayFlow} is
 * false. The session logic is {@link Sessions}'; the inventory's rules are {@link Inventory}'s.
 */
final class AdminApi {
    /** What the admin side asks of the server: fail these machines (their session was cancelled), reporting each {@link #finished}. */
    interface Machines {
        void fail(Set<Integer> ids, String reason);
    }

    /** What the console's admin actions change on the server: the rate cap, and a machine dropped. */
    interface Controls {
        /** Sets the rate cap of the first stream (the slow one keeps its share); bits per second. */
        void rate(long bps);

        /** Drops machine {@code id} from the session (it is told so and fails); false when no such active machine. */
        boolean remove(int id, String reason);
    }

    /** An answer to one admin request: the HTTP status and the body (a record or map, written as JSON). */
    record Answer(int status, Object body) {}

    /** A session the admin started for later: its groups and when (wall clock, ms). */
    private record Scheduled(long id, List<String> groups, long atMs) {}

    /** A joining host's admission: the session it joins and its group. */
    record Admitted(long session, String group, String mac) {}

    private final Inventory inventory;
    private final StateDb db;
    private final Machines machines;
    private final Sessions sessions = new Sessions();
    /** Machines admitted to a session: id → admission (results are written there). */
    private final Map<Integer, Admitted> admitted = new ConcurrentHashMap<>();
    private volatile boolean flow = true;
    /** The token admin requests must carry; null: the server has none, and admin requests are refused. */
    private final String adminToken;
    private volatile Controls controls;
    private Events events = Events.none();
    /** Sessions started for a later time, by id (guarded by this object's lock). */
    private final Map<Long, Scheduled> scheduled = new TreeMap<>();
    /** The last state told as an event, of the current session. */
    private Sessions.State told;

    AdminApi(StateDb db, Machines machines, String adminToken) {
        this.db = db;
        this.adminToken = adminToken;
        this.inventory = new Inventory(db);
        this.machines = machines;
    }

    /** Where rate changes and removals go (without: those actions answer 409). */
    void controls(Controls c) {
        this.controls = c;
    }

    /** Where session events go. */
    void events(Events e) {
        this.events = e;
    }

    /** Captures over the network, whose tokens the assignment hands out; null: none (the assignment then has no token). */
    private volatile CaptureIntake captures;

    void captures(CaptureIntake c) {
        captures = c;
    }

    void routes(ControlApi api) {
        api.route("/api/v1/assignment", this::assignment);
        api.route("/api/v1/boot/report", this::bootReport);
        api.route("/api/v1/boot/register", this::bootRegister);
        api.route("/api/v1/admin/", this::admin);
    }

    /** Whether data may flow (no session waits for its groups). */
    boolean mayFlow() {
        return flow;
    }

    /**
     * A machine named {@code name} joins: null when it is no host of a group (it joins as any
     * machine does); its admission to its group's session; a {@link ControlApi.Refusal} (503: ask
     * again) while its group has no session admitting it.
     */
    synchronized Admitted admit(String name) throws ControlApi.Refusal {
        Host h = db.hostByName(name);
        if (h == null || h.group() == null) return null;
        Sessions.Admission a = sessions.admit(h.group());
        if (a.refusal() != null) throw new ControlApi.Refusal(503, new ErrorReply(a.refusal(), true));
        return new Admitted(a.session(), h.group(), h.mac());
    }

    /** The admitted machine {@code m} joined. */
    synchronized void joined(Admitted a, Machine m) {
        admitted.put(m.id, a);
        sessions.onJoin(a.session(), a.group(), m.id);
        record(m, a);
    }

    /** Time passes: a waiting session may start; {@code in}: the machine with that id reported its needs. */
    synchronized void tick(long nowNs, IntPredicate in) {
        long wall = System.currentTimeMillis();
        for (Scheduled s : List.copyOf(scheduled.values())) {
            if (s.atMs() > wall) continue;
            scheduled.remove(s.id());
            try {
                startNow(s.groups(), s.id());
            } catch (RuntimeException e) {
                db.updateSession(s.id(), s.groups(), "failed", true);
                events.session(Event.Kind.SESSION_ENDED, s.id(), "could not start at its time: " + e.getMessage());
            }
        }
        if (sessions.check(nowNs, in)) saveSession();
    }

    /**
     * Machine {@code m} finished (done, failed or lost): its result goes into the state. A host
     * that received its image is marked so: network boot then boots its local disk.
     */
    synchronized void finished(Machine m) {
        Admitted a = admitted.get(m.id);
        if (a != null) record(m, a);
        if (m.state == MachineState.DONE) {
            Host h = a != null ? db.host(a.mac()) : db.hostByName(m.name);
            if (h != null) db.bootDone(h.mac(), m.imageName, false);
        }
    }

    /**
     * Whether the network-booted machine with {@code mac} should boot imgcast's kernel, and why:
     * a capture task, the menu for an unknown machine, or an image it has not received yet (a
     * host of a group: while its group's session admits it and it has not finished in it; a host
     * without a group: until network boot deployed that image onto it). Otherwise its local disk.
     */
    synchronized CastServer.BootPlan bootPlan(String macText) {
        Assignment a = inventory.assignment(macText);
        String mac = a.mac();
        switch (a.action()) {
            case Assignment.CAPTURE, Assignment.MENU -> {
                return new CastServer.BootPlan(true, a.reason());
            }
            case Assignment.IMAGE -> {
                Host h = db.host(mac);
                if (h == null) {
                    return new CastServer.BootPlan(false, "unknown machine: network boot deploys only known hosts ('imgcast hosts add --mac " + mac
                            + " ...'), or offers the menu ('imgcast hosts default menu')");
                }
                if (h.group() != null) {
                    Sessions.Admission ad = sessions.admit(h.group());
                    if (ad.refusal() != null) return new CastServer.BootPlan(false, ad.refusal());
                    Session s = db.session(ad.session());
                    if (s != null && s.machines() != null
                            && s.machines().stream().anyMatch(r -> mac.equals(r.mac()) && MachineState.DONE.toString().equals(r.state()))) {
                        return new CastServer.BootPlan(false, "host '" + h.name() + "' received its image in session " + s.id());
                    }
                    return new CastServer.BootPlan(true, a.reason() + ": image " + a.image() + " in session " + ad.session());
                }
                if (a.image().equals(db.bootedDone(mac))) {
                    return new CastServer.BootPlan(false, "host '" + h.name() + "' received image " + a.image()
                            + "; 'imgcast hosts add' again deploys it again");
                }
                return new CastServer.BootPlan(true, a.reason() + ": image " + a.image());
            }
            default -> {
                return new CastServer.BootPlan(false, a.reason());
            }
        }
    }

    /**
     * {@code POST /api/v1/boot/register} {@code {"mac":..,"name":..}}: the menu of an unknown
     * machine registers it as a host without an image. Only while the default for unknown
     * machines is {@code menu}, and only for a MAC not yet known (open, like the assignment).
     */
    private void bootRegister(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, new ErrorReply("POST only"));
                return;
            }
            Map<String, Object> m = ControlJson.readMap(new String(body(ex), StandardCharsets.UTF_8));
            String mac = Mac.normalize(String.valueOf(m.get("mac")));
            String name = io.imgcast.state.Names.check("host", String.valueOf(m.get("name")));
            synchronized (this) {
                if (!"menu".equals(db.unknownDefault())) {
                    reply(ex, 403, new ErrorReply("the server does not let unknown machines register themselves (its default is '" + db.unknownDefault() + "')"));
                    return;
                }
                if (db.host(mac) != null) {
                    reply(ex, 409, new ErrorReply(mac + " is already host '" + db.host(mac).name() + "'"));
                    return;
                }
                db.putHost(new Host(mac, name, null, null, null, null));
                System.err.println("imgcast serve: " + mac + " registered itself as host '" + name + "' from its menu");
            }
            reply(ex, 200, Map.of("ok", true));
        } catch (IllegalArgumentException e) {
            reply(ex, 400, new ErrorReply(e.getMessage()));
        }
    }

    /**
     * {@code POST /api/v1/boot/report} {@code {"mac":..,"image":..,"error":..}}: a network-booted
     * machine failed; the reason is logged and, for a host in a session, kept as its result. Open
     * like the assignment (the machine has no token), so bounded and only ever a failure.
     */
    private void bootReport(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, new ErrorReply("POST only"));
                return;
            }
            Map<String, Object> m = ControlJson.readMap(new String(body(ex), StandardCharsets.UTF_8));
            String mac = Mac.normalize(String.valueOf(m.get("mac")));
            String error = Names.text(String.valueOf(m.get("error")), Names.MAX_ERROR);
            String image = m.get("image") == null ? null : Names.text(String.valueOf(m.get("image")), 255);
            synchronized (this) {
                Host h = db.host(mac);
                String who = h != null ? "host '" + h.name() + "' (" + mac + ")" : "unknown machine " + mac;
                System.err.println("imgcast serve: network boot of " + who + " failed: " + error
                        + " (from " + ex.getRemoteAddress().getAddress().getHostAddress() + ")");
                Sessions.Current c = sessions.current();
                if (h != null && h.group() != null && c != null && c.gates.containsKey(h.group())) {
                    db.putResult(c.id, new Session.Result(mac, h.name(), image, MachineState.FAILED.toString(), null, null, error));
                }
            }
            reply(ex, 200, Map.of("ok", true));
        } catch (IllegalArgumentException e) {
            reply(ex, 400, new ErrorReply(e.getMessage()));
        }
    }

    private void record(Machine m, Admitted a) {
        db.putResult(a.session(), new Session.Result(a.mac(), m.name, m.imageName, m.state.toString(),
                m.state == MachineState.DONE || m.state == MachineState.FAILED ? m.seconds : null, m.doneBytes, m.error));
    }

    private void saveSession() {
        Sessions.Current c = sessions.current();
        flow = sessions.mayFlow();
        if (c != null) {
            db.updateSession(c.id, c.groups(), c.state.toString(), c.state == Sessions.State.CANCELLED);
            tell(c);
        }
    }

    /** The current session's new state as an event: started (running), ended (stopped admits no one new; cancelled). */
    private void tell(Sessions.Current c) {
        if (c.state == told) return;
        told = c.state;
        switch (c.state) {
            case WAITING -> events.session(Event.Kind.SESSION_STARTED, c.id, "groups " + String.join(", ", c.groups()) + "; waiting for them");
            case RUNNING -> events.session(Event.Kind.SESSION_STARTED, c.id, "groups " + String.join(", ", c.groups()) + "; data flows");
            case STOPPED -> events.session(Event.Kind.SESSION_ENDED, c.id, "stopped by the operator: admits no one new");
            case CANCELLED -> events.session(Event.Kind.SESSION_ENDED, c.id, "cancelled by the operator");
            case ENDED -> events.session(Event.Kind.SESSION_ENDED, c.id, "the server stopped");
        }
    }

    /** The server stops: a session still admitting or finishing has ended. */
    synchronized void close() {
        Sessions.Current c = sessions.current();
        if (c != null && c.state != Sessions.State.CANCELLED && c.state != Sessions.State.ENDED) {
            db.updateSession(c.id, c.groups(), Sessions.State.ENDED.toString(), true);
            c.state = Sessions.State.ENDED;
            tell(c);
        }
        for (Scheduled s : scheduled.values()) db.updateSession(s.id(), s.groups(), "cancelled", true);
        scheduled.clear();
    }

    // ---- HTTP

    private void assignment(HttpExchange ex) throws IOException {
        try {
            String mac = ex.getRequestMethod().equals("POST")
                    ? String.valueOf(ControlJson.readMap(new String(body(ex), StandardCharsets.UTF_8)).get("mac")) : query(ex, "mac");
            Assignment a;
            synchronized (this) {
                a = inventory.assignment(mac);
            }
            CaptureIntake c = captures;
            // a machine told to capture (or offered the menu, which may capture) gets a one-time token bound to its MAC
            if (c != null && (a.action().equals(Assignment.CAPTURE) || a.action().equals(Assignment.MENU))) {
                a = a.withToken(c.issue(a.mac(), a.action().equals(Assignment.CAPTURE) ? a.image() : null));
            }
            reply(ex, 200, a);
        } catch (IllegalArgumentException e) {
            reply(ex, 400, new ErrorReply(e.getMessage()));
        }
    }

    private void admin(HttpExchange ex) throws IOException {
        if (!Tokens.same(adminToken, ex.getRequestHeaders().getFirst(Tokens.HEADER))) {
            reply(ex, 403, new ErrorReply(adminToken == null ? "admin actions are off: the server has no admin token"
                    : "admin requests need the admin token (the server's admin.token file)"));
            return;
        }
        byte[] body;
        try {
            body = body(ex);
        } catch (IllegalArgumentException e) {
            reply(ex, 413, new ErrorReply(e.getMessage()));
            return;
        }
        Answer a = handle(ex.getRequestMethod(), ex.getRequestURI().getPath().substring("/api/v1/admin/".length()), body);
        reply(ex, a.status(), a.body());
    }

    /**
     * One admin request, already authenticated (the admin token here, a console login with its
     * CSRF token there): {@code path} below {@code /api/v1/admin/}.
     */
    Answer handle(String method, String path, byte[] body) {
        String[] p = path.split("/");
        try {
            Object answer;
            synchronized (this) {
                answer = route(p, method, body);
            }
            if (answer instanceof Cancel c) {
                machines.fail(c.ids(), c.reason()); // and the server reports each as finished
                synchronized (this) {
                    answer = db.session(c.session());
                }
            }
            if (answer instanceof Remove r) {
                Controls k = controls;
                if (k == null || !k.remove(r.id(), "removed from the session by the operator")) {
                    throw new NotFound("no active machine " + r.id());
                }
                answer = Map.of("ok", true);
            }
            if (answer == null) return new Answer(404, new ErrorReply("not found: /api/v1/admin/" + path));
            return new Answer(200, answer);
        } catch (IllegalArgumentException e) {
            return new Answer(400, new ErrorReply(e.getMessage()));
        } catch (NotFound e) {
            return new Answer(404, new ErrorReply(e.getMessage()));
        } catch (IllegalStateException e) {
            return new Answer(409, new ErrorReply(e.getMessage()));
        }
    }

    private record Cancel(long session, Set<Integer> ids, String reason) {}

    private record Remove(int id) {}

    private static final class NotFound extends RuntimeException {
        NotFound(String m) {
            super(m);
        }
    }

    /** One admin request, under this object's lock; null: no such route. */
    private Object route(String[] p, String method, byte[] ex) {
        String what = p[0];
        String key = p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : null;
        switch (what) {
            case "hosts" -> {
                if (key == null && method.equals("GET")) return new HostList(db.hosts(), db.unknownDefault());
                if (key == null && method.equals("POST")) return inventory.addHost(read(Host.class, ex));
                if (key != null && method.equals("DELETE")) {
                    String k = Mac.looksLike(key) ? Mac.normalize(key) : key;
                    if (!db.removeHost(k)) throw new NotFound("no host with MAC or name '" + key + "'");
                    return Map.of("ok", true);
                }
            }
            case "default" -> {
                if (method.equals("POST")) return new HostList(null, inventory.setDefault(read(HostList.class, ex).unknownDefault()));
                if (method.equals("GET")) return new HostList(null, db.unknownDefault());
            }
            case "groups" -> {
                if (key == null && method.equals("GET")) return new GroupList(db.groups());
                if (key == null && method.equals("POST")) return inventory.addGroup(read(HostGroup.class, ex));
                if (key != null && method.equals("DELETE")) {
                    if (!db.removeGroup(key)) throw new NotFound("no group named '" + key + "'");
                    return Map.of("ok", true);
                }
            }
            case "sessions" -> {
                return sessions(p, method, ex);
            }
            case "rate" -> {
                if (method.equals("POST")) {
                    Object v = readMap(ex).get("rate_bps");
                    if (!(v instanceof Number n) || n.longValue() < 1_000_000L || n.longValue() > 100_000_000_000L) {
                        throw new IllegalArgumentException("rate_bps must be a number of bits per second from 1000000 (1 Mbit/s) to 1e11");
                    }
                    Controls k = controls;
                    if (k == null) throw new IllegalStateException("this server cannot change its rate");
                    k.rate(n.longValue());
                    events.session(Event.Kind.RATE_CHANGED, sessions.current() != null ? sessions.current().id : 0,
                            "rate cap " + n.longValue() / 1_000_000 + " Mbit/s");
                    return Map.of("ok", true, "rate_bps", n.longValue());
                }
            }
            case "machines" -> {
                if (key != null && p.length == 3 && p[2].equals("remove") && method.equals("POST")) {
                    try {
                        return new Remove(Integer.parseInt(key));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("'" + key + "' is not a machine id");
                    }
                }
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    private Object sessions(String[] p, String method, byte[] ex) {
        if (p.length == 1 && method.equals("GET")) return new SessionList(db.sessions());
        if (p.length == 1 && method.equals("POST")) {
            SessionRequest r = read(SessionRequest.class, ex);
            return r.at() == null ? start(r.groups()) : schedule(r.groups(), r.at());
        }
        long id;
        try {
            id = Long.parseLong(p[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + p[1] + "' is not a session id");
        }
        Session s = db.session(id);
        if (s == null) throw new NotFound("no session " + id + "; 'imgcast sessions list' shows them");
        if (p.length == 2 && method.equals("GET")) return s;
        if (p.length == 3 && method.equals("POST") && p[2].equals("stop")) {
            if (!sessions.stop(id)) throw new IllegalStateException("session " + id + " is " + s.state() + "; only a waiting or running session can be stopped");
            saveSession();
            return db.session(id);
        }
        if (p.length == 3 && method.equals("POST") && p[2].equals("cancel") && scheduled.remove(id) != null) {
            db.updateSession(id, s.groups(), "cancelled", true);
            events.session(Event.Kind.SESSION_ENDED, id, "cancelled by the operator before its time");
            return db.session(id);
        }
        if (p.length == 3 && method.equals("POST") && p[2].equals("cancel")) {
            Set<Integer> ids = sessions.cancel(id);
            if (ids == null) throw new IllegalStateException("session " + id + " is " + s.state() + "; it cannot be cancelled");
            saveSession();
            return new Cancel(id, ids, "session " + id + " was cancelled by the operator");
        }
        return null;
    }

    private Session start(List<String> names) {
        return startNow(names, 0);
    }

    /** Starts {@code names} now: into the session that admits, else a new one (the scheduled row {@code scheduledId} when not 0). */
    private Session startNow(List<String> names, long scheduledId) {
        List<HostGroup> groups = groups(names);
        Sessions.Current before = sessions.current();
        long id;
        if (before != null && before.state.admits()) {
            id = before.id;
            if (scheduledId != 0) db.updateSession(scheduledId, names, "merged", true); // its groups joined the running session
        } else {
            id = scheduledId != 0 ? scheduledId : db.newSession(names, Sessions.State.WAITING.toString());
        }
        sessions.start(groups, id, System.nanoTime());
        saveSession();
        return db.session(id);
    }

    private List<HostGroup> groups(List<String> names) {
        if (names == null || names.isEmpty()) throw new IllegalArgumentException("name at least one group to start");
        List<HostGroup> groups = new ArrayList<>();
        for (String n : names) {
            HostGroup g = db.group(n);
            if (g == null) throw new NotFound("no group named '" + n + "'; 'imgcast groups list' shows them");
            groups.add(g);
        }
        return groups;
    }

    /** A session of {@code names} that starts at {@code at} (ISO-8601): listed as scheduled until then. */
    private Session schedule(List<String> names, String at) {
        groups(names);
        long atMs;
        try {
            atMs = Instant.parse(at).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("at must be an ISO-8601 time such as 2026-12-08T07:30:00Z, not '" + at + "'");
        }
        if (atMs <= System.currentTimeMillis()) return start(names);
        long id = db.newSession(names, "scheduled");
        scheduled.put(id, new Scheduled(id, List.copyOf(names), atMs));
        events.session(Event.Kind.SESSION_STARTED, id, "scheduled for " + at + " (groups " + String.join(", ", names) + ")");
        return db.session(id);
    }

    private static <T> T read(Class<T> type, byte[] body) {
        try {
            return ControlJson.read(type, body);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable request: " + e.getMessage());
        }
    }

    private static Map<String, Object> readMap(byte[] body) {
        try {
            return ControlJson.readMap(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable request: " + e.getMessage());
        }
    }

    private static byte[] body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(64 * 1024 + 1);
            if (b.length > 64 * 1024) throw new IllegalArgumentException("request body too large");
            return b;
        }
    }

    private static String query(HttpExchange ex, String key) {
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                if (kv.startsWith(key + "=")) return URLDecoder.decode(kv.substring(key.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException("give the machine's MAC: ?" + key + "=52:54:00:12:34:56");
    }

    private static void reply(HttpExchange ex, int code, Object body) throws IOException {
        byte[] b = ControlJson.bytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }
}
