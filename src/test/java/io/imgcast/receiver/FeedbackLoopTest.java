package io.imgcast.receiver;

import io.imgcast.cast.BlockAssembler;
import io.imgcast.cast.BlockReport;
import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The feedback cadence: when a round is sent or skipped, what it carries, and what becomes of
 * it when the server does not take it. The period is a minute, so every round after the first
 * is young (calm) unless it has a shortfall to tell.
 */
class FeedbackLoopTest {
    static final io.imgcast.cast.Wire.Key TEST_KEY = new io.imgcast.cast.Wire.Key(0x0123456789abcdefL, 0x0fedcba987654321L);
    private static final int T = Wire.symbolSize(1500);
    private static final long PERIOD_MS = 60_000;

    /** A server that records the reports it takes, or refuses the next one. */
    private static final class Server implements ServerLink {
        final List<FeedbackFormat> reports = new ArrayList<>();
        IOException next;
        String group;

        @Override
        public String feedback(byte[] report) throws IOException {
            if (next != null) {
                IOException e = next;
                next = null;
                throw e;
            }
            reports.add(FeedbackFormat.decode(report, 100));
            return group;
        }

        @Override
        public void needs(int from, int to, byte[] bits) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] table(int from, int max) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] manifest(int max) {
            throw new UnsupportedOperationException();
        }
    }

    private final ChunkId chunk = id(1);
    private final ChunkId other = id(2);
    private final Server server = new Server();
    private final SharedAssembler asm = new SharedAssembler(
            new BlockAssembler(Map.of(chunk.prefix64(), chunk, other.prefix64(), other), T, 0), Map.of(chunk, 4, other, 9));
    private final Counters counters = new Counters();
    private final Stop stop = new Stop();
    /** Never started: its port is 0 (no kernel counters read) and a move only changes its group. */
    private final DatagramLoop datagrams = new DatagramLoop(null, "239.1.1.1:9000", 1, TEST_KEY, null, T, asm, null, counters, stop);
    private final FeedbackLoop loop = new FeedbackLoop(server, asm, datagrams, counters, stop, PERIOD_MS, 15_000, URI.create("http://server/"));

    private static ChunkId id(int n) {
        byte[] b = {(byte) n};
        return ChunkId.hash(b, 0, 1);
    }

    /** The directory and the first of 3 symbols of block 5, which carries one 3000-byte chunk: 2 symbols short. */
    private void halfABlock() {
        ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
        p.position(Wire.HEADER);
        p.putShort((short) 1).putLong(chunk.prefix64()).put((byte) 0).putInt(3000).putInt(3000);
        Wire.seal(p, TEST_KEY, Wire.TYPE_INFO, 1, 0, 3, 0, 5, 2 + Wire.INFO_ENTRY + Wire.SIGNATURE);
        assertNull(Wire.check(p, TEST_KEY, 1, T));
        asm.onPacket(p, System.nanoTime(), counters);
        ByteBuffer s = ByteBuffer.allocate(Wire.MAX_PACKET);
        Wire.seal(s, TEST_KEY, Wire.TYPE_SYMBOL, 1, 0, 3, 0, 5, T);
        assertNull(Wire.check(s, TEST_KEY, 1, T));
        asm.onPacket(s, System.nanoTime(), counters);
    }

    @Test
    void aCalmRoundIsSkippedAndItsCompletionsWaitWhileAShortfallIsToldAtOnce() {
        assertTrue(loop.send(false));
        assertEquals(1, server.reports.size(), "the first round goes out: no report yet");
        asm.written(other);
        assertTrue(loop.send(false));
        assertEquals(1, server.reports.size(), "nothing missing and the last report is young: skipped");

        halfABlock();
        assertTrue(loop.send(false));
        assertEquals(2, server.reports.size(), "a shortfall goes out at once");
        FeedbackFormat f = server.reports.get(1);
        assertEquals(List.of(new BlockReport(5, 0, 2)), f.blocks());
        assertArrayEquals(new int[] {9}, f.completed(), "with the completion that waited");

        assertTrue(loop.send(false));
        assertEquals(3, server.reports.size(), "as long as it lasts");
        assertArrayEquals(new int[0], server.reports.get(2).completed(), "a completion is told once");
    }

    @Test
    void aForcedRoundGoesOutAndCarriesTheCounters() {
        assertTrue(loop.send(false));
        counters.packets.addAndGet(7);
        counters.reject(Wire.Reject.OTHER_SESSION);
        counters.written.addAndGet(3000);
        assertTrue(loop.send(true));
        assertEquals(2, server.reports.size());
        FeedbackFormat f = server.reports.get(1);
        assertEquals(7, f.packets());
        assertEquals(1, f.rejected());
        assertEquals(3000, f.bytesWritten());
    }

    @Test
    void completionsThatDidNotReachTheServerAreToldAgain() {
        asm.written(other);
        server.next = new IOException("connection reset");
        assertFalse(loop.send(true));
        assertNull(stop.failure(), "a lost report is no failure: the stall timeout decides");
        asm.written(chunk);
        assertTrue(loop.send(true));
        assertArrayEquals(new int[] {9, 4}, server.reports.get(0).completed(), "the earlier one first");
    }

    @Test
    void aServerThatForgotTheMachineEndsTheReceiveForARejoin() {
        asm.written(other);
        server.next = new ServerLink.Refused(404, "no such machine");
        assertFalse(loop.send(true));
        assertInstanceOf(Rejoin.class, stop.failure());
        assertFalse(stop.going());
    }

    @Test
    void theServersAnswerMovesTheMachineToAnotherGroup() {
        server.group = "239.1.1.1:9001";
        assertTrue(loop.send(true));
        assertEquals("239.1.1.1:9001", datagrams.group());
    }
}
