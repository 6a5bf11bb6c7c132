package io.imgcast.boot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootHttpTest {
    @TempDir Path dir;

    @Test
    void servesTheScriptPerMacAndTheBootFiles() throws Exception {
        byte[] initrd = new byte[3 << 20];
        new Random(7).nextBytes(initrd);
        Files.write(dir.resolve("initrd.img"), initrd);
        Files.writeString(dir.resolve("vmlinuz"), "kernel");
        List<String> asked = new ArrayList<>();
        BootHttp.Scripts scripts = (mac, local) -> {
            asked.add(mac + "@" + local.getHostAddress());
            if (mac == null) return "chain";
            if (mac.equals("bad")) throw new IllegalArgumentException("'bad' is not a MAC");
            return "script for " + mac;
        };
        try (BootHttp http = new BootHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dir, scripts, l -> {})) {
            http.start();
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + http.address().getPort();
            HttpResponse<String> s = c.send(HttpRequest.newBuilder(URI.create(base + "/boot.ipxe?mac=52%3A54%3A00%3A00%3A00%3A01")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, s.statusCode());
            assertEquals("script for 52:54:00:00:00:01", s.body());
            assertEquals("chain", c.send(HttpRequest.newBuilder(URI.create(base + "/boot.ipxe")).build(), HttpResponse.BodyHandlers.ofString()).body());
            HttpResponse<String> bad = c.send(HttpRequest.newBuilder(URI.create(base + "/boot.ipxe?mac=bad")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("is not a MAC") && bad.body().endsWith("exit\n"), bad.body());
            assertEquals(List.of("52:54:00:00:00:01@127.0.0.1", "null@127.0.0.1", "bad@127.0.0.1"), asked);
            HttpResponse<byte[]> f = c.send(HttpRequest.newBuilder(URI.create(base + "/boot/initrd.img")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, f.statusCode());
            assertArrayEquals(initrd, f.body());
            assertEquals(404, c.send(HttpRequest.newBuilder(URI.create(base + "/boot/../state.db")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, c.send(HttpRequest.newBuilder(URI.create(base + "/boot/store.key")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(405, c.send(HttpRequest.newBuilder(URI.create(base + "/boot.ipxe")).method("DELETE", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aBootDirWithoutTheFilesSaysHowToMakeThem() throws Exception {
        Files.writeString(dir.resolve("vmlinuz"), "kernel");
        IOException e = assertThrows(IOException.class, () -> new BootHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dir,
                (m, l) -> "", l -> {}));
        assertTrue(e.getMessage().contains("initrd.img") && e.getMessage().contains("imgcast boot build --out " + dir), e.getMessage());
    }
}
