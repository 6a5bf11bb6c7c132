package io.imgcast.server;

import io.imgcast.api.Event;
import io.imgcast.console.Console;
import io.imgcast.state.StateDb;
import io.imgcast.store.Store;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;
import io.imgcast.testutil.TreeGen;
import io.imgcast.trust.Admission;
import io.imgcast.trust.ServerTrust;
import io.imgcast.trust.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's HTTP side on a real server on loopback (plain HTTP, no machine receives, so no
 * multicast is sent): login with the hashed password, the CSRF token on every admin action, a
 * wrong password and a machine's token refused, the inventory, a session with its events in the
 * history, the live view's changes, a rate change, a machine removed, and {@code /metrics}.
 */
class ConsoleServerTest {
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    String base;

    record R(int code, String body, HttpResponse<String> raw) {
        Map<String, Object> json() {
            return MiniJson.object(body);
        }
    }

    R call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new R(r.statusCode(), r.body(), r);
    }

    @Test
    void loginCsrfAndTheAdminActionsOfTheConsole() throws Exception {
        Path tree = dir.resolve("tree");
        TreeGen.plain(tree, 3, 64 << 10);
        Path storeDir = dir.resolve("store");
        Cli.run("capture", tree, "--name", "img", "--description", "lab image", "--store", storeDir).ok();
        ServerTrust trust = new ServerTrust(null, false, Admission.ANY, "admin-secret-token", false);
        CastServer.Config cfg = new CastServer.Config("lo", new InetSocketAddress("239.77.9.1", 9000), 100_000_000L,
                new InetSocketAddress("127.0.0.1", 0), 2, 15_000, 1, 30_000, 1, List.of());
        try (Store store = Store.open(storeDir); StateDb db = StateDb.open(dir.resolve("state"));
             CastServer server = new CastServer(store, cfg, trust)) {
            server.enableAdmin(db);
            server.start();
            base = "http://127.0.0.1:" + server.httpAddress().getPort() + "/";

            R page = call("GET", "", null);
            assertEquals(200, page.code());
            assertTrue(page.body().contains("<title>imgcast console</title>"), page.body());
            assertTrue(page.raw().headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
            assertEquals(200, call("GET", "console/console.js", null).code());
            assertEquals(404, call("GET", "nothing-here", null).code());

            Map<String, Object> me = call("GET", "console/api/me", null).json();
            assertEquals(false, me.get("login"));
            assertEquals(false, me.get("password_set"));
            assertEquals(409, call("POST", "console/login", "{\"password\":\"whatever1\"}").code(), "no password set yet");
            Console.setPassword(db, "the right password".toCharArray());
            assertTrue(db.setting(Console.PASSWORD_SETTING).startsWith("pbkdf2-sha256$"), "stored hashed");

            // a wrong password, no login, a machine's token: refused
            R wrong = call("POST", "console/login", "{\"password\":\"the wrong password\"}");
            assertEquals(401, wrong.code());
            assertTrue(wrong.raw().headers().firstValue("Set-Cookie").isEmpty());
            assertEquals(401, call("POST", "console/api/admin/groups", "{\"name\":\"lab\",\"image\":\"img\"}").code());
            assertEquals(401, call("GET", "console/api/live?since=0", null).code(), "with a state, the live view needs a login");
            Map<String, Object> join = call("POST", "api/v1/join", "{\"machine\":\"pc1\",\"image\":\"img\"}").json();
            String machineToken = (String) join.get("token");
            assertNotNull(machineToken);
            assertEquals(401, call("POST", "console/api/admin/groups", "{\"name\":\"lab\",\"image\":\"img\"}", Tokens.HEADER, machineToken).code());
            assertEquals(403, call("POST", "api/v1/admin/groups", "{\"name\":\"lab\",\"image\":\"img\"}", Tokens.HEADER, machineToken).code());
            assertEquals(401, call("POST", "console/api/admin/groups", "{\"name\":\"lab\",\"image\":\"img\"}", "Cookie",
                    "imgcast_console=" + machineToken).code(), "a machine token is no login");

            R login = call("POST", "console/login", "{\"password\":\"the right password\"}");
            assertEquals(200, login.code(), login.body());
            String setCookie = login.raw().headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            String csrf = (String) login.json().get("csrf");
            assertEquals(csrf, call("GET", "console/api/me", null, "Cookie", cookie).json().get("csrf"));

            // CSRF: the cookie alone, a wrong token, another origin: refused, and nothing changed
            String group = "{\"name\":\"lab\",\"image\":\"img\"}";
            R noCsrf = call("POST", "console/api/admin/groups", group, "Cookie", cookie);
            assertEquals(403, noCsrf.code());
            assertTrue(noCsrf.body().contains("CSRF"), noCsrf.body());
            assertEquals(403, call("POST", "console/api/admin/groups", group, "Cookie", cookie, "X-Csrf-Token", csrf + "x").code());
            assertEquals(403, call("POST", "console/api/admin/groups", group, "Cookie", cookie, "X-Csrf-Token", csrf, "Origin",
                    "https://evil.example").code());
            assertTrue(db.groups().isEmpty());
            String[] auth = {"Cookie", cookie, "X-Csrf-Token", csrf};
            assertEquals(200, call("POST", "console/api/admin/groups", group, auth).code());
            assertEquals(200, call("POST", "console/api/admin/hosts", "{\"mac\":\"52:54:00:cc:00:01\",\"name\":\"pc1\",\"group\":\"lab\"}", auth).code());

            Map<String, Object> inv = call("GET", "console/api/inventory", null, auth).json();
            Map<?, ?> img = (Map<?, ?>) ((List<?>) inv.get("images")).getFirst();
            assertEquals("img", img.get("name"));
            assertEquals("lab image", img.get("description"));
            assertTrue(((Number) img.get("stored_bytes")).longValue() > 0);
            assertEquals(1, ((List<?>) ((Map<?, ?>) inv.get("hosts")).get("hosts")).size());

            // a session, its events in the history
            R started = call("POST", "console/api/admin/sessions", "{\"groups\":[\"lab\"]}", auth);
            assertEquals(200, started.code(), started.body());
            long id = ((Number) started.json().get("id")).longValue();
            List<?> events = List.of();
            for (int i = 0; i < 50 && events.isEmpty(); i++) {
                Thread.sleep(100);
                events = (List<?>) call("GET", "console/api/sessions/" + id, null, auth).json().get("events");
            }
            assertEquals("session-started", ((Map<?, ?>) events.getFirst()).get("kind"));
            R later = call("POST", "console/api/admin/sessions", "{\"groups\":[\"lab\"],\"at\":\"2099-01-01T07:30:00Z\"}", auth);
            assertEquals("scheduled", later.json().get("state"));
            long laterId = ((Number) later.json().get("id")).longValue();
            assertEquals("cancelled", call("POST", "console/api/admin/sessions/" + laterId + "/cancel", "{}", auth).json().get("state"));
            assertEquals(400, call("POST", "console/api/admin/sessions", "{\"groups\":[\"lab\"],\"at\":\"tomorrow\"}", auth).code());

            // the live view: the machine that joined; then only changes
            Map<String, Object> live = call("GET", "console/api/live?since=0", null, auth).json();
            assertEquals(true, live.get("reset"));
            List<?> row = (List<?>) ((List<?>) live.get("rows")).getFirst();
            assertEquals("pc1", row.get(1));
            assertEquals("joining", row.get(3));

            // rate and removal
            assertEquals(200, call("POST", "console/api/admin/rate", "{\"rate_bps\":50000000}", auth).code());
            assertEquals(50_000_000L, server.status().streams().getFirst().rateBps());
            assertEquals(400, call("POST", "console/api/admin/rate", "{\"rate_bps\":5}", auth).code());
            int machineId = ((Number) join.get("machine_id")).intValue();
            assertEquals(200, call("POST", "console/api/admin/machines/" + machineId + "/remove", "{}", auth).code());
            assertEquals(404, call("POST", "console/api/admin/machines/" + machineId + "/remove", "{}", auth).code(), "not active any more");
            assertEquals("failed", server.status().machines().getFirst().state().toString());

            // metrics: open by default
            R metrics = call("GET", "metrics", null);
            assertEquals(200, metrics.code());
            assertTrue(metrics.body().contains("imgcast_machines{state=\"failed\"} 1"), metrics.body());
            assertTrue(metrics.body().contains("imgcast_stream_rate_bits_per_second{stream=\"0\"} 50000000"), metrics.body());
            server.metricsNeedAdmin(true);
            assertEquals(403, call("GET", "metrics", null).code());
            assertEquals(200, call("GET", "metrics", null, Tokens.HEADER, "admin-secret-token").code());

            // log out: the cookie is worth nothing after
            assertEquals(200, call("POST", "console/logout", "{}", auth).code());
            assertEquals(401, call("GET", "console/api/inventory", null, auth).code());
        }
        // the history outlives the server
        try (StateDb db = StateDb.open(dir.resolve("state"))) {
            List<Event> ev = db.events(db.sessions().getLast().id(), 100);
            assertTrue(ev.stream().anyMatch(e -> e.kind() == Event.Kind.SESSION_STARTED), ev.toString());
            assertTrue(ev.stream().anyMatch(e -> e.kind() == Event.Kind.SESSION_ENDED), "the server's stop ended it: " + ev);
            assertFalse(ev.stream().anyMatch(e -> e.session() != db.sessions().getLast().id()));
        }
    }
}
