package io.imgcast.server;

import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;
import io.imgcast.testutil.TreeGen;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hosts, groups, defaults and assignments through the command line: with the server stopped (the
 * CLI writes the state) and against a running server on loopback (found through the state
 * directory's server.url, over TLS pinned to the key the state's server.trust names, with the admin
 * token it names; without the token the admin API refuses); and a host whose disk rule matches nothing is told so and writes nothing.
 * No machine joins here, so no multicast is sent; sessions with machines are in {@code SessionLabTest}.
 */
class AdminApiTest {
    @TempDir Path dir;

    private Path state() {
        return dir.resolve("state");
    }

    @Test
    void hostsAndGroupsWithTheServerStopped() {
        Path st = state();
        Cli.run("groups", "add", "lab", "--image", "bookworm", "--expect", "2", "--wait", "30", "--state", st).ok();
        String out = Cli.run("hosts", "add", "--mac", "52-54-00-AA-00-01", "--name", "pc1", "--group", "lab", "--disk", "size:100GB-",
                "--then", "reboot", "--state", st).ok().out();
        assertTrue(out.contains("52:54:00:aa:00:01") && out.contains("the state at"), out);
        Cli.run("hosts", "add", "--mac", "52:54:00:aa:00:02", "--name", "pc2", "--image", "win", "--state", st).ok();
        Map<String, Object> l = MiniJson.object(Cli.run("hosts", "list", "--json", "--state", st).ok().out());
        List<?> hosts = (List<?>) l.get("hosts");
        assertEquals(2, hosts.size());
        Map<?, ?> pc1 = (Map<?, ?>) hosts.getFirst();
        assertEquals("pc1", pc1.get("name"));
        assertEquals("size:100GB-", pc1.get("disk"));
        assertEquals("ignore", l.get("unknown_default"));
        assertTrue(Cli.run("groups", "list", "--state", st).ok().out().contains("members: pc1"));

        // bad input is a usage error naming what is wrong, and changes nothing
        Cli.Result bad = Cli.run("hosts", "add", "--mac", "52:54:00:aa:00", "--name", "pc3", "--image", "x", "--state", st);
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("not a MAC address"), bad.err());
        assertEquals(2, Cli.run("hosts", "add", "--mac", "52:54:00:aa:00:03", "--name", "pc 3", "--image", "x", "--state", st).code());
        assertEquals(2, Cli.run("hosts", "add", "--mac", "52:54:00:aa:00:03", "--name", "pc3", "--image", "x", "--disk", "biggest",
                "--state", st).code());
        assertEquals(2, Cli.run("hosts", "add", "--mac", "52:54:00:aa:00:03", "--name", "pc3", "--group", "nope", "--state", st).code());
        assertEquals(2, Cli.run("hosts", "add", "--mac", "52:54:00:aa:00:03", "--name", "pc3", "--image", "x", "--then", "dance",
                "--state", st).code());
        assertEquals(2, ((List<?>) MiniJson.object(Cli.run("hosts", "list", "--json", "--state", st).ok().out()).get("hosts")).size());

        assertEquals(2, Cli.run("groups", "remove", "lab", "--state", st).code(), "a group with members stays");
        Cli.run("hosts", "remove", "52:54:00:AA:00:01", "--state", st).ok();
        assertEquals(4, Cli.run("hosts", "remove", "pc1", "--state", st).code(), "gone already: not found");
        Cli.run("groups", "remove", "lab", "--state", st).ok();
        Cli.run("hosts", "default", "local-disk", "--state", st).ok();
        assertTrue(Cli.run("hosts", "list", "--state", st).ok().out().contains("unknown machines: local-disk"));
        Cli.Result noServer = Cli.run("sessions", "start", "lab", "--state", st);
        assertEquals(1, noServer.code());
        assertTrue(noServer.err().contains("no server runs"), noServer.err());
    }

    @Test
    void changesGoThroughARunningServerAndTakeEffect() throws Exception {
        Path tree = dir.resolve("tree");
        TreeGen.plain(tree, 3, 64 << 10);
        Path store = dir.resolve("store");
        Cli.run("capture", tree, "--name", "img", "--store", store).ok();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path st = state();
        Process server = Cli.start(dir.resolve("server.log"), "serve", "--interface", "lo", "--listen", "127.0.0.1:" + port,
                "--store", store, "--state", st);
        try {
            Path url = st.resolve("server.url");
            for (int i = 0; i < 300 && !Files.exists(url); i++) Thread.sleep(100);
            assertTrue(Files.exists(url), "the server wrote its URL into the state: " + Files.readString(dir.resolve("server.log")));
            String base = Files.readString(url).trim();
            assertEquals("https://127.0.0.1:" + port + "/", base, "TLS unless --insecure-http");
            String named = Files.readString(st.resolve("server.trust"));
            assertTrue(named.contains("fingerprint=") && named.contains("admin-token=" + store.toAbsolutePath().normalize().resolve("admin.token")),
                    named);
            String token = Tokens.readAdminToken(store.resolve("admin.token"));

            // the admin API needs the admin token; the assignment does not
            assertEquals(403, status(base + "api/v1/admin/hosts"), "no token");
            assertEquals(403, status(base + "api/v1/admin/hosts", "wrong"), "a wrong token");
            assertEquals(200, status(base + "api/v1/admin/hosts", token));
            assertEquals(200, status(base + "api/v1/assignment?mac=52:54:00:bb:00:08"));
            Cli.Result noToken = Cli.run("hosts", "list", "--server", base, "--state", dir.resolve("other-state"));
            assertEquals(1, noToken.code(), "an explicit server without the token file: refused, " + noToken);
            assertTrue(noToken.err().contains("admin token"), noToken.err());
            Cli.Result wrongKey = Cli.run("hosts", "list", "--server", base, "--server-key", "00000000000000000000", "--state", st);
            assertEquals(6, wrongKey.code(), "a key that is not the pinned one: " + wrongKey);

            String out = Cli.run("groups", "add", "lab", "--image", "img", "--state", st).ok().out();
            assertTrue(out.contains("the server at " + base), out);
            Cli.run("hosts", "add", "--mac", "52:54:00:bb:00:01", "--name", "pc1", "--group", "lab", "--then", "poweroff", "--state", st).ok();
            Cli.Result bad = Cli.run("hosts", "add", "--mac", "01:00:5e:00:00:01", "--name", "pc9", "--image", "img", "--state", st);
            assertEquals(2, bad.code(), "the server's 400 is a usage error: " + bad);
            assertTrue(bad.err().contains("multicast MAC"), bad.err());
            assertEquals(4, Cli.run("hosts", "remove", "pc9", "--state", st).code(), "no such host, through the server");
            Map<String, Object> a = get(base + "api/v1/assignment?mac=52-54-00-BB-00-01");
            assertEquals("image", a.get("action"));
            assertEquals("img", a.get("image"), "the group's image");
            assertEquals("largest", a.get("disk"));
            assertEquals("poweroff", a.get("then"));
            assertEquals("pc1", a.get("name"));

            // an unknown MAC gets the default, which takes effect at once
            assertEquals("ignore", get(base + "api/v1/assignment?mac=52:54:00:bb:00:09").get("action"));
            Cli.run("hosts", "default", "local-disk", "--state", st).ok();
            assertEquals("nothing", get(base + "api/v1/assignment?mac=52:54:00:bb:00:09").get("action"));
            Cli.run("hosts", "default", "img", "--state", st).ok();
            Map<String, Object> d = get(base + "api/v1/assignment?mac=52:54:00:bb:00:09");
            assertEquals("image", d.get("action"));
            assertEquals("img", d.get("image"));
            Cli.run("hosts", "default", "register", "--state", st).ok();
            assertEquals("nothing", get(base + "api/v1/assignment?mac=52:54:00:bb:00:09").get("action"));
            assertTrue(Cli.run("hosts", "list", "--state", st).ok().out().contains("new-525400bb0009"), "registered");
            assertEquals(400, status(base + "api/v1/assignment?mac=nonsense"));

            // sessions: started through the server, listed from it
            Map<String, Object> s = MiniJson.object(Cli.run("sessions", "start", "lab", "--json", "--state", st).ok().out());
            long id = ((Number) s.get("id")).longValue();
            assertEquals("running", s.get("state"), "a group with no --expect/--wait is ready at once");
            Cli.Result unknown = Cli.run("sessions", "start", "nogroup", "--state", st);
            assertEquals(4, unknown.code(), unknown.toString());
            assertTrue(unknown.err().contains("no group named 'nogroup'"), unknown.err());
            Cli.run("sessions", "stop", String.valueOf(id), "--state", st).ok();
            assertTrue(Cli.run("sessions", "show", String.valueOf(id), "--state", st).ok().out().contains("[stopped]"));
            assertEquals(1, Cli.run("sessions", "stop", String.valueOf(id), "--state", st).code(), "stopped already");
            Cli.run("sessions", "cancel", String.valueOf(id), "--state", st).ok();
            assertTrue(Cli.run("sessions", "list", "--state", st).ok().out().contains("[cancelled]"));
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            if (server.isAlive()) server.destroyForcibly();
        }
        assertFalse(Files.exists(st.resolve("server.url")), "a stopped server forgets its URL");
        // the server is gone: the CLI writes the state itself, and what the server stored is there
        assertTrue(Cli.run("hosts", "list", "--state", st).ok().out().contains("pc1"));
    }

    @Test
    void aHostWhoseDiskRuleMatchesNothingIsToldSoAndWritesNothing() throws Exception {
        Path tree = dir.resolve("tree");
        TreeGen.plain(tree, 4, 64 << 10);
        Path store = dir.resolve("store");
        Cli.run("capture", tree, "--name", "img", "--store", store).ok();
        // a fake machine: an NVMe disk too small for the rule, and a large USB stick
        Path root = dir.resolve("root");
        disk(root, "nvme0n1", 1L << 30, 0, "pci-0000:01:00.0-nvme-1");
        disk(root, "sdb", 64L << 30, 0, "pci-0000:00:14.0-usb-0:2:1.0-scsi-0:0:0:0");
        Files.createDirectories(root.resolve("dev"));
        Path stick = root.resolve("dev/sdb");
        Files.write(stick, new byte[4096]);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path st = state();
        Cli.run("hosts", "add", "--mac", "52:54:00:cc:00:01", "--name", "pc1", "--image", "img", "--disk", "size:16GB-", "--state", st).ok();
        Process server = Cli.start(dir.resolve("server.log"), "serve", "--interface", "lo", "--listen", "127.0.0.1:" + port,
                "--store", store, "--state", st);
        try {
            for (int i = 0; i < 300 && !Files.exists(st.resolve("server.url")); i++) Thread.sleep(100);
            List<String> cmd = new ArrayList<>(io.imgcast.lab.LabRun.imgcast("receive", "--server", "http://127.0.0.1:" + port + "/", "--auto",
                    "--mac", "52:54:00:cc:00:01", "--interface", "lo", "--timeout", "10"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("r.log").toFile());
            pb.environment().put("IMGCAST_SYS_ROOT", root.toString());
            Process r = pb.start();
            assertTrue(r.waitFor(60, TimeUnit.SECONDS));
            String log = Files.readString(dir.resolve("r.log"));
            assertEquals(5, r.exitValue(), log);
            assertTrue(log.contains("'size:16GB-'") && log.contains("matches no disk") && log.contains("nothing was written"), log);
            assertTrue(log.contains("/dev/sdb (") && log.contains("removable"), "the disks seen are named: " + log);
            assertTrue(java.util.Arrays.equals(new byte[4096], Files.readAllBytes(stick)), "the stick is untouched");
            String status = get("https://127.0.0.1:" + port + "/api/v1/status").get("machines").toString();
            assertEquals("[]", status, "the machine did not even join");
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            if (server.isAlive()) server.destroyForcibly();
        }
    }

    private static void disk(Path root, String name, long bytes, int removable, String byPath) throws IOException {
        Path d = Files.createDirectories(root.resolve("sys/block/" + name));
        Files.writeString(d.resolve("size"), (bytes / 512) + "\n");
        Files.writeString(d.resolve("removable"), removable + "\n");
        Path links = Files.createDirectories(root.resolve("dev/disk/by-path"));
        Files.createSymbolicLink(links.resolve(byPath), Path.of("../../" + name));
    }

    /** Trusts the test's own server on first use (each test's server has its own key): what is checked here is the API, not the pin. */
    private final HttpClient http = HttpClient.newBuilder().sslContext(ClientTrust.of(null, null, false).context()).build();

    private Map<String, Object> get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return MiniJson.object(r.body());
    }

    private int status(String url) throws Exception {
        return status(url, null);
    }

    private int status(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) b.header(Tokens.HEADER, token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
