package io.imgcast.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.imgcast.api.ControlJson;
import io.imgcast.api.ErrorReply;
import io.imgcast.api.Event;
import io.imgcast.api.Session;
import io.imgcast.api.Status;
import io.imgcast.state.StateDb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * The admin console: the page at {@code /} and its JSON routes under {@code /console/}, on the
 * control API's HTTP server. The page logs in with the console password (stored hashed in the
 * state, {@link Passwords}), then shows the store's images, the hosts and groups, the sessions
 * and their history, and the live view ({@link LiveFeed}); its admin actions go to the server's
 * admin API through {@link Backend#admin} after the login and its CSRF token are checked
 * ({@link Csrf}). Routes:
 * <ul>
 * <li>{@code GET /} the page; {@code GET /console/console.js|console.css} its code and style;
 * <li>{@code GET /console/api/me} whether this browser is logged in (and its CSRF token);
 * <li>{@code POST /console/login} {@code {"password":…}}; {@code POST /console/logout};
 * <li>{@code GET /console/api/live?since=V} the live view's changes after version V;
 * <li>{@code GET /console/api/inventory} images, hosts, groups, the fingerprint;
 * <li>{@code GET /console/api/sessions[/ID]} the history: sessions, one with its machines and events;
 * <li>{@code /console/api/admin/PATH} any admin action of {@code /api/v1/admin/PATH}.
 * </ul>
 * Without a state there is no login and no admin action; the live view is then open when the
 * server's status is ({@code liveOpen}), as the old read-only dashboard was.
 */
public final class Console {
    /** What the console needs of the server. */
    public interface Backend {
        Status status();

        /** Bytes of the union of the images the machines on the list receive. */
        long unionBytes();

        /** The store's images (empty when the server serves no store). */
        List<Image> images();

        /** The fingerprint of the server's key (it signs the images and the TLS certificate), or null. */
        String fingerprint();

        /** An admin action, {@code path} below {@code /api/v1/admin/}: the server's admin API, already authenticated. */
        Answer admin(String method, String path, byte[] body);

        /** Registers a sink for the server's events. */
        void onEvent(Consumer<Event> sink);
    }

    /** One image of the store as the console lists it; {@code uniqueBytes} -1 when not known. */
    public record Image(String name, String kind, long bytes, long storedBytes, long uniqueBytes, long createdMs, String description) {}

    /** An answer of the admin API: HTTP status and body (written as JSON). */
    public record Answer(int status, Object body) {}

    /** The setting in the state that holds the password's hash. */
    public static final String PASSWORD_SETTING = "console_password";
    static final String COOKIE = "imgcast_console";
    /** The live view is recomputed at most this often, however many consoles poll. */
    static final long UPDATE_NS = 500_000_000L;
    /** The images' union is recomputed at most this often (it walks every image's table). */
    static final long UNION_NS = 5_000_000_000L;

    private final Backend backend;
    private final boolean liveOpen;
    private final Object lock = new Object();
    private final Logins logins = new Logins();
    private final LiveFeed feed = new LiveFeed();
    private long updatedNs = Long.MIN_VALUE / 2;
    private long unionNs = Long.MIN_VALUE / 2;
    private long union;
    private volatile StateDb db;

    public Console(Backend backend, boolean liveOpen) {
        this.backend = backend;
        this.liveOpen = liveOpen;
        backend.onEvent(e -> {
            synchronized (lock) {
                feed.event(e);
            }
        });
    }

    /** Logins and admin actions, with the password and history in {@code state}. */
    public void enable(StateDb state) {
        this.db = state;
    }

    /** Sets the console password in {@code state} (hashed); an {@link IllegalArgumentException} when it is too short. */
    public static void setPassword(StateDb state, char[] password) {
        state.putSetting(PASSWORD_SETTING, Passwords.hash(password));
    }

    /** Handles a request under {@code /} (anything the other routes do not take). */
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            switch (path) {
                case "/", "/index.html" -> asset(ex, "index.html", "text/html; charset=utf-8");
                case "/console/console.js" -> asset(ex, "console.js", "text/javascript; charset=utf-8");
                case "/console/console.css" -> asset(ex, "console.css", "text/css; charset=utf-8");
                case "/console/login" -> login(ex);
                case "/console/logout" -> logout(ex);
                case "/console/api/me" -> me(ex);
                default -> {
                    if (path.startsWith("/console/api/")) api(ex, path.substring("/console/api/".length()), method);
                    else json(ex, 404, new ErrorReply("not found: " + path));
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void api(HttpExchange ex, String rest, String method) throws IOException {
        Logins.Login login = login(ex, System.nanoTime());
        if (rest.equals("live") && method.equals("GET")) {
            if (login == null && !(liveOpen && db == null)) {
                json(ex, 401, new ErrorReply("log in to the console first"));
                return;
            }
            live(ex);
            return;
        }
        if (login == null) {
            json(ex, 401, new ErrorReply(db == null ? "this server has no state: the console has no login and no admin actions"
                    : "log in to the console first"));
            return;
        }
        if (!method.equals("GET")) {
            String why = Csrf.refusal(login.csrf, ex.getRequestHeaders().getFirst(Csrf.HEADER), ex.getRequestHeaders().getFirst("Origin"),
                    ex.getRequestHeaders().getFirst("Host"));
            if (why != null) {
                json(ex, 403, new ErrorReply(why));
                return;
            }
        }
        StateDb state = db;
        if (rest.equals("inventory") && method.equals("GET")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fingerprint", backend.fingerprint());
            m.put("images", backend.images());
            m.put("hosts", backend.admin("GET", "hosts", new byte[0]).body());
            m.put("groups", backend.admin("GET", "groups", new byte[0]).body());
            json(ex, 200, m);
        } else if (rest.equals("sessions") && method.equals("GET")) {
            json(ex, 200, Map.of("sessions", state.sessions()));
        } else if (rest.startsWith("sessions/") && method.equals("GET")) {
            long id;
            try {
                id = Long.parseLong(rest.substring("sessions/".length()));
            } catch (NumberFormatException e) {
                json(ex, 400, new ErrorReply("not a session id: " + rest));
                return;
            }
            Session s = state.session(id);
            if (s == null) {
                json(ex, 404, new ErrorReply("no session " + id));
                return;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("session", s);
            m.put("events", state.events(id, StateDb.MAX_EVENTS_PER_SESSION));
            json(ex, 200, m);
        } else if (rest.startsWith("admin/")) {
            byte[] body = readBody(ex);
            if (body == null) return;
            Answer a = backend.admin(method, rest.substring("admin/".length()), body);
            json(ex, a.status(), a.body());
        } else {
            json(ex, 404, new ErrorReply("not found: /console/api/" + rest));
        }
    }

    private void live(HttpExchange ex) throws IOException {
        long since = 0;
        String q = ex.getRequestURI().getRawQuery();
        if (q != null && q.startsWith("since=")) {
            try {
                since = Long.parseLong(q.substring("since=".length()));
            } catch (NumberFormatException e) {
                since = 0;
            }
        }
        Map<String, Object> out;
        long now = System.nanoTime();
        synchronized (lock) {
            if (now - updatedNs >= UPDATE_NS) {
                if (now - unionNs >= UNION_NS) {
                    union = backend.unionBytes();
                    unionNs = now;
                }
                feed.update(backend.status(), union, System.currentTimeMillis());
                updatedNs = now;
            }
            out = feed.since(since, System.currentTimeMillis());
        }
        json(ex, 200, out);
    }

    private void me(HttpExchange ex) throws IOException {
        Logins.Login l = login(ex, System.nanoTime());
        StateDb state = db;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("login", l != null);
        if (l != null) m.put("csrf", l.csrf);
        m.put("admin", state != null);
        m.put("password_set", state != null && state.setting(PASSWORD_SETTING) != null);
        m.put("live_open", liveOpen && state == null);
        json(ex, 200, m);
    }

    private void login(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            json(ex, 405, new ErrorReply("POST the password"));
            return;
        }
        StateDb state = db;
        if (state == null) {
            json(ex, 409, new ErrorReply("this server has no state: the console has no login"));
            return;
        }
        String stored = state.setting(PASSWORD_SETTING);
        if (stored == null) {
            json(ex, 409, new ErrorReply("no console password is set: run 'imgcast console passwd' on the server"
                    + " (or serve --console-password-file FILE)"));
            return;
        }
        String address = ex.getRemoteAddress().getAddress().getHostAddress();
        synchronized (lock) {
            if (!logins.mayTry(address, System.nanoTime())) {
                json(ex, 429, new ErrorReply("too many wrong passwords from " + address + "; wait a minute"));
                return;
            }
        }
        byte[] body = readBody(ex);
        if (body == null) return;
        Object pw;
        try {
            pw = ControlJson.readMap(new String(body, StandardCharsets.UTF_8)).get("password");
        } catch (IOException | RuntimeException e) {
            pw = null;
        }
        if (!(pw instanceof String p) || !Passwords.matches(stored, p.toCharArray())) {
            synchronized (lock) {
                logins.failed(address, System.nanoTime());
            }
            json(ex, 401, new ErrorReply("wrong password"));
            return;
        }
        Logins.Login l;
        synchronized (lock) {
            l = logins.open(System.nanoTime());
        }
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + l.id + "; Path=/; HttpOnly; SameSite=Strict"
                + (ex instanceof HttpsExchange ? "; Secure" : ""));
        json(ex, 200, Map.of("login", true, "csrf", l.csrf));
    }

    private void logout(HttpExchange ex) throws IOException {
        Logins.Login l = login(ex, System.nanoTime());
        if (!ex.getRequestMethod().equals("POST") || l == null) {
            json(ex, 200, Map.of("login", false));
            return;
        }
        String why = Csrf.refusal(l.csrf, ex.getRequestHeaders().getFirst(Csrf.HEADER), ex.getRequestHeaders().getFirst("Origin"),
                ex.getRequestHeaders().getFirst("Host"));
        if (why != null) {
            json(ex, 403, new ErrorReply(why));
            return;
        }
        synchronized (lock) {
            logins.close(l.id);
        }
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        json(ex, 200, Map.of("login", false));
    }

    /** The valid login whose cookie the request carries, or null. */
    private Logins.Login login(HttpExchange ex, long nowNs) {
        if (db == null) return null;
        String id = cookie(ex.getRequestHeaders().get("Cookie"));
        synchronized (lock) {
            return logins.check(id, nowNs);
        }
    }

    /** The console's cookie among the request's Cookie headers, or null. */
    static String cookie(List<String> headers) {
        if (headers == null) return null;
        for (String h : headers) {
            for (String part : h.split(";")) {
                String p = part.trim();
                if (p.startsWith(COOKIE + "=")) return p.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    private static byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(64 * 1024 + 1);
            if (b.length > 64 * 1024) {
                json(ex, 413, new ErrorReply("request body too large"));
                return null;
            }
            return b;
        }
    }

    private static void asset(HttpExchange ex, String name, String type) throws IOException {
        byte[] b;
        try (InputStream in = Console.class.getResourceAsStream(name)) {
            if (in == null) {
                json(ex, 500, new ErrorReply("the console's " + name + " is missing from this build"));
                return;
            }
            b = in.readAllBytes();
        }
        headers(ex, type);
        send(ex, 200, b);
    }

    private static void headers(HttpExchange ex, String type) {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
    }

    static void json(HttpExchange ex, int status, Object body) throws IOException {
        headers(ex, "application/json");
        send(ex, status, ControlJson.bytes(body));
    }

    /** Sends {@code b}, gzipped when the client takes it and it is worth it. */
    private static void send(HttpExchange ex, int status, byte[] b) throws IOException {
        String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
        if (accept != null && accept.contains("gzip") && b.length > 512) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream(b.length / 3);
            try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
                gz.write(b);
            }
            b = bo.toByteArray();
            ex.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }
    }
}
