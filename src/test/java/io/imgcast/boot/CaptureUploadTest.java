package io.imgcast.boot;

import io.imgcast.api.Assignment;
import io.imgcast.api.CaptureBatch;
import io.imgcast.api.Host;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.image.Apply;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.manifest.Manifest;
import io.imgcast.net.McastSocket;
import io.imgcast.receiver.AutoAssignment;
import io.imgcast.server.CastServer;
import io.imgcast.state.Inventory;
import io.imgcast.state.StateDb;
import io.imgcast.store.Store;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.ServerTrust;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture over the network against a server on loopback (plain HTTP: the TLS pinning is the
 * control API's, tested there): a block image and a tree come back equal to their sources; a
 * forged chunk, a missing token and another machine's token are refused; a capture that stops
 * before its commit leaves no image. No machine joins, so no multicast is sent.
 */
class CaptureUploadTest {
    private static final String M1 = "52:54:00:00:00:01";
    private static final String M2 = "52:54:00:00:00:02";
    @TempDir Path dir;
    private Store store;
    private StateDb db;
    private CastServer server;
    private URI base;
    private final ClientTrust trust = ClientTrust.of(null, null, true);

    @BeforeEach
    void serve() throws IOException {
        store = Store.open(dir.resolve("store"), true);
        db = StateDb.open(dir.resolve("state"));
        CastServer.Config cfg = new CastServer.Config("lo", McastSocket.parseGroup("239.77.9.9:9000"), 100_000_000L,
                new InetSocketAddress("127.0.0.1", 0), 1, 15_000, 1, 30_000, 0, List.of());
        server = new CastServer(store, cfg, ServerTrust.open());
        server.enableAdmin(db);
        server.start();
        base = URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        server.close();
        db.close();
        store.close();
    }

    private String token(String mac, String into) throws IOException {
        new Inventory(db).addHost(new Host(mac, "pc-" + mac.substring(mac.length() - 2), null, null, null, null, "capture " + into, null));
        Assignment a = AutoAssignment.ask(base, trust, mac);
        assertEquals(Assignment.CAPTURE, a.action());
        assertEquals(into, a.image());
        assertNotNull(a.token(), "the capture assignment carries its token");
        return a.token();
    }

    private String capture(Path source, boolean volume, String mac, String token) throws IOException {
        try (CaptureUpload up = CaptureUpload.open(base, trust, mac, token)) {
            Manifest m = Capture.scan(source, volume, up, CaptureOptions.defaults(), null);
            return up.commit(m, null);
        }
    }

    @Test
    void aBlockImageAndATreeComeBackEqual() throws IOException {
        Path disk = dir.resolve("disk.img");
        byte[] data = new byte[6 << 20];
        Random r = new Random(5);
        r.nextBytes(data);
        System.arraycopy(data, 0, data, 3 << 20, 1 << 20); // repeated data: one chunk sent once
        java.util.Arrays.fill(data, 5 << 20, 6 << 20, (byte) 0);
        Files.write(disk, data);
        assertEquals("gold", capture(disk, true, M1, token(M1, "gold")));
        assertEquals(null, db.host(M1).task(), "a finished capture puts the host back to deploying");
        Path out = dir.resolve("out.img");
        Apply.run(store, "gold", out, 2, Progress.NONE);
        assertArrayEquals(data, Files.readAllBytes(out), "the captured block image equals its source");

        Path tree = dir.resolve("tree");
        TreeGen.plain(tree, 9, 2 << 20);
        assertEquals("tree1", capture(tree, false, M2, token(M2, "tree1")));
        Path back = dir.resolve("back");
        Apply.run(store, "tree1", back, 2, Progress.NONE);
        TreeDiff.assertSame(tree, back);
    }

    @Test
    void aForgedChunkIsRefusedAndNothingIsKept() throws IOException {
        String t = token(M1, "forged");
        byte[] real = "the real data of a chunk".getBytes(StandardCharsets.UTF_8);
        byte[] other = "something else entirely!".getBytes(StandardCharsets.UTF_8);
        ChunkId claimed = ChunkId.hash(real, 0, real.length);
        byte[] body = CaptureBatch.chunks(List.of(new CaptureBatch.Chunk(claimed, ChunkCodec.RAW, other.length, other)));
        ControlCalls.Reply r = ControlCalls.call(base, trust, "POST", "api/v1/capture/chunks?mac=" + M1, body, t);
        assertEquals(400, r.status());
        assertTrue(r.error().contains("does not match its data"), r.error());
        assertFalse(store.find("forged").isPresent());
        // the token went with the capture it dropped
        assertEquals(403, ControlCalls.call(base, trust, "POST", "api/v1/capture/chunks?mac=" + M1,
                CaptureBatch.chunks(List.of(new CaptureBatch.Chunk(claimed, ChunkCodec.RAW, real.length, real))), t).status());
    }

    @Test
    void noTokenOrAnotherMachinesIsRefused() throws IOException {
        String t = token(M1, "mine");
        ControlCalls.Reply none = ControlCalls.call(base, trust, "GET", "api/v1/capture/dictionary?mac=" + M1, null, null);
        assertEquals(403, none.status());
        assertTrue(none.error().contains("capture token"), none.error());
        ControlCalls.Reply wrongMac = ControlCalls.call(base, trust, "GET", "api/v1/capture/dictionary?mac=" + M2, null, t);
        assertEquals(403, wrongMac.status());
        assertTrue(wrongMac.error().contains("not for " + M2), wrongMac.error());
        IOException e = assertThrows(IOException.class, () -> CaptureUpload.open(base, trust, M2, t));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void aCaptureThatStopsBeforeItsCommitLeavesNoImage() throws IOException {
        Path disk = dir.resolve("disk.img");
        byte[] data = new byte[12 << 20];
        new Random(6).nextBytes(data);
        Files.write(disk, data);
        String t = token(M1, "half");
        try (CaptureUpload up = CaptureUpload.open(base, trust, M1, t)) {
            Capture.scan(disk, true, up, CaptureOptions.defaults(), null);
            assertTrue(up.sentChunks() > 0, "a batch went before the end");
            assertTrue(packBytes() >= 8 << 20, "the server holds the sent chunks in its write session: " + packBytes());
            // no commit: closing aborts
        }
        assertFalse(store.find("half").isPresent());
        assertEquals(0, packBytes(), "what the dropped capture wrote is gone");
    }

    /** Bytes in the store's pack files, committed or not. */
    private long packBytes() throws IOException {
        try (var files = Files.walk(store.dir())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".pack")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }
}
