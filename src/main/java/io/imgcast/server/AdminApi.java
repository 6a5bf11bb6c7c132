package io.imgcast.server;

import com.sun.net.httpserver.HttpExchange;
import io.imgcast.api.Assignment;
import io.imgcast.api.ControlJson;
import io.imgcast.api.ErrorReply;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    AdminApi(StateDb db, Machines machines, String adminToken) {
        this.db = db;
        this.adminToken = adminToken;
        this.inventory = new Inventory(db);
        this.machines = machines;
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
        if (c != null) db.updateSession(c.id, c.groups(), c.state.toString(), c.state == Sessions.State.CANCELLED);
    }

    /** The server stops: a session still admitting or finishing has ended. */
    synchronized void close() {
        Sessions.Current c = sessions.current();
        if (c != null && c.state != Sessions.State.CANCELLED) db.updateSession(c.id, c.groups(), Sessions.State.ENDED.toString(), true);
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
        String[] p = ex.getRequestURI().getPath().substring("/api/v1/admin/".length()).split("/");
        String method = ex.getRequestMethod();
        try {
            Object answer;
            synchronized (this) {
                answer = route(p, method, ex);
            }
            if (answer instanceof Cancel c) {
                machines.fail(c.ids(), c.reason()); // and the server reports each as finished
                synchronized (this) {
                    answer = db.session(c.session());
                }
            }
            if (answer == null) reply(ex, 404, new ErrorReply("not found: " + ex.getRequestURI().getPath()));
            else reply(ex, 200, answer);
        } catch (IllegalArgumentException e) {
            reply(ex, 400, new ErrorReply(e.getMessage()));
        } catch (NotFound e) {
            reply(ex, 404, new ErrorReply(e.getMessage()));
        } catch (IllegalStateException e) {
            reply(ex, 409, new ErrorReply(e.getMessage()));
        }
    }

    private record Cancel(long session, Set<Integer> ids, String reason) {}

    private static final class NotFound extends RuntimeException {
        NotFound(String m) {
            super(m);
        }
    }

    /** One admin request, under this object's lock; null: no such route. */
    private Object route(String[] p, String method, HttpExchange ex) throws IOException {
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
            default -> {
                return null;
            }
        }
        return null;
    }

    private Object sessions(String[] p, String method, HttpExchange ex) throws IOException {
        if (p.length == 1 && method.equals("GET")) return new SessionList(db.sessions());
        if (p.length == 1 && method.equals("POST")) return start(read(SessionRequest.class, ex).groups());
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
        if (p.length == 3 && method.equals("POST") && p[2].equals("cancel")) {
            Set<Integer> ids = sessions.cancel(id);
            if (ids == null) throw new IllegalStateException("session " + id + " is " + s.state() + "; it cannot be cancelled");
            saveSession();
            return new Cancel(id, ids, "session " + id + " was cancelled by the operator");
        }
        return null;
    }

    private Session start(List<String> names) {
        if (names == null || names.isEmpty()) throw new IllegalArgumentException("name at least one group to start");
        List<HostGroup> groups = new ArrayList<>();
        for (String n : names) {
            HostGroup g = db.group(n);
            if (g == null) throw new NotFound("no group named '" + n + "'; 'imgcast groups list' shows them");
            groups.add(g);
        }
        Sessions.Current before = sessions.current();
        long id = before != null && before.state.admits() ? before.id : db.newSession(names, Sessions.State.WAITING.toString());
        sessions.start(groups, id, System.nanoTime());
        saveSession();
        return db.session(id);
    }

    private static <T> T read(Class<T> type, HttpExchange ex) throws IOException {
        try {
            return ControlJson.read(type, body(ex));
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
