package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How repairs are asked for and answered: directories, exact repair rounds, the report format. */
class RepairTest {
    static final io.imgcast.cast.Wire.Key TEST_KEY = new io.imgcast.cast.Wire.Key(0x0123456789abcdefL, 0x0fedcba987654321L);
    private static final int T = CastSimulation.T;
    private static final long MS = 1_000_000L;

    /** A block of random chunks as the server sends it. */
    private record Sent(Block block, BlockData data, List<ChunkMeta> chunks, Map<Long, ChunkId> tags, List<byte[]> payloads) {}

    private static List<ChunkMeta> chunks(int n, int size, long seed, Map<ChunkId, byte[]> payloads) {
        Random r = new Random(seed);
        List<ChunkMeta> metas = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[size];
            r.nextBytes(p);
            ChunkId id = ChunkId.hash(p, 0, p.length);
            metas.add(new ChunkMeta(id, (byte) 0, p.length, p.length));
            payloads.put(id, p);
        }
        return metas;
    }

    private static Sent sent(Block b, Map<ChunkId, byte[]> payloads) {
        List<byte[]> ps = new ArrayList<>();
        Map<Long, ChunkId> tags = new java.util.HashMap<>();
        for (ChunkMeta c : b.chunks()) {
            ps.add(payloads.get(c.id()));
            tags.put(c.id().prefix64(), c.id());
        }
        return new Sent(b, BlockData.of(b, T, ps), b.chunks(), tags, ps);
    }

    private static Sent block(int chunks, int size, long seed) {
        Map<ChunkId, byte[]> payloads = new java.util.HashMap<>();
        return sent(new Block(7, chunks(chunks, size, seed, payloads), 0, 0, T), payloads);
    }

    private static ByteBuffer packet(Sent s, byte type, int burst, int esi) {
        ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
        int len;
        if (type == Wire.TYPE_INFO) {
            System.arraycopy(s.data().info, 0, p.array(), Wire.HEADER, s.data().info.length);
            len = s.data().info.length;
        } else {
            s.data().symbol(esi, p.array(), Wire.HEADER);
            len = T;
        }
        Wire.seal(p, TEST_KEY, type, 1, burst, s.block().k(), esi, s.block().id(), len);
        assertEquals(null, Wire.check(p, TEST_KEY, 1, T));
        return p;
    }

    @Test
    void aReceiverThatLostBothDirectoriesSaysSoAndGetsTheDirectoryAloneNotTheBlockAgain() {
        Map<ChunkId, byte[]> payloads = new java.util.HashMap<>();
        Scheduler sch = new Scheduler(0, Scheduler.Config.defaults(), 0, T);
        sch.addMachine(1, 0, chunks(6, 9_000, 1, payloads), 0);
        Burst first = sch.next(0);
        assertTrue(first.directory(), "a block's first burst carries its directory");
        Sent s = sent(first.block(), payloads);
        BlockAssembler asm = new BlockAssembler(s.tags(), T, 30 * MS);
        // every symbol arrives, both copies of the directory are lost
        for (int esi : first.esis()) assertTrue(asm.onPacket(packet(s, Wire.TYPE_SYMBOL, 0, esi), MS).isEmpty());
        List<BlockReport> r = asm.reports(100 * MS);
        assertEquals(1, r.size());
        assertTrue(r.get(0).noDirectory(), "it says it lacks the directory");
        assertEquals(0, r.get(0).missing(), "and that it lacks no symbol");

        // the report survives its encoding; the server answers with the directory and no symbols
        FeedbackFormat f = FeedbackFormat.decode(new FeedbackFormat(new int[0], r, 1, 0, 0, 0, 0).encode(), 0);
        assertEquals(r, f.blocks());
        sch.feedback(1, List.of(), f.blocks(), 0, 400 * MS);
        Burst again = sch.next(401 * MS);
        assertNotNull(again);
        assertTrue(again.directory());
        assertEquals(0, again.esis().length, "no symbol resent");

        List<BlockAssembler.Completed> out = asm.onPacket(packet(s, Wire.TYPE_INFO, again.burst(), 0), 402 * MS);
        assertEquals(6, out.size(), "with the directory every chunk comes out of what it held");
        for (int i = 0; i < 6; i++) assertArrayEquals(s.payloads().get(i), out.get(i).payload());
    }

    @Test
    void aBlockWhoseDirectoryNeverComesIsForgottenNotReportedForever() {
        Map<ChunkId, byte[]> payloads = new java.util.HashMap<>();
        Scheduler sch = new Scheduler(0, Scheduler.Config.defaults(), 0, T);
        sch.addMachine(1, 0, chunks(6, 9_000, 7, payloads), 0);
        Burst first = sch.next(0);
        Sent s = sent(first.block(), payloads);
        BlockAssembler asm = new BlockAssembler(s.tags(), T, 30 * MS);
        for (int esi : first.esis()) asm.onPacket(packet(s, Wire.TYPE_SYMBOL, 0, esi), MS);
        assertEquals(1, asm.reports(5_000 * MS).size(), "asked for while it may still come");
        assertEquals(List.of(), asm.reports(MS + BlockAssembler.FORGET_DIRECTORYLESS_NS + MS), "then forgotten");
        // sent again whole (the carousel), it is taken as new
        List<BlockAssembler.Completed> out = new java.util.ArrayList<>();
        out.addAll(asm.onPacket(packet(s, Wire.TYPE_INFO, 1, 0), 20_000 * MS));
        for (int esi : first.esis()) out.addAll(asm.onPacket(packet(s, Wire.TYPE_SYMBOL, 1, esi), 20_000 * MS));
        assertEquals(6, out.size(), "every chunk comes out of the resent block");
    }

    @Test
    void aLargestChunkFillsOneBlockAtTheSmallestSymbolAndALargerOneIsRefusedClearly() {
        Map<ChunkId, byte[]> payloads = new java.util.HashMap<>();
        List<ChunkMeta> largest = chunks(1, io.imgcast.chunk.FastCdc.DEFAULT_MAX, 8, payloads);
        Scheduler sch = new Scheduler(0, Scheduler.Config.defaults(), 0, Wire.MIN_SYMBOL);
        sch.addMachine(1, 0, largest, 0);
        Burst b = sch.next(0);
        assertTrue(b.block().k() <= Wire.MAX_K, "k " + b.block().k() + ": the receivers' check takes no more");
        assertTrue(b.esis().length <= Wire.MAX_ESI + 1);

        ChunkMeta tooBig = new ChunkMeta(largest.get(0).id(), (byte) 0, ServedImage.MAX_CHUNK + 1, ServedImage.MAX_CHUNK + 1);
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.imgcast.codec.CorruptDataException.class,
                () -> new ServedImage("x", io.imgcast.manifest.ImageKind.VOLUME, new byte[0], new byte[0], new byte[0], List.of(tooBig), 1));
        assertTrue(e.getMessage().contains("more than one FEC block carries"), e.getMessage());
    }

    @Test
    void repairRoundsSendExactlyTheWorstShortfallWithoutTheDirectoryWhileFreshDataWaits() {
        Map<ChunkId, byte[]> payloads = new java.util.HashMap<>();
        List<ChunkMeta> all = chunks(400, 9_000, 2, payloads);
        Scheduler sch = new Scheduler(0, Scheduler.Config.defaults(), 0, T);
        sch.addMachine(1, 0, all, 0);
        sch.addMachine(2, 0, all, 0);
        Burst b = sch.next(0);
        int k = b.block().k();
        // one machine lacks 3 symbols, the other 5: the repair round sends 5 fresh repair symbols
        sch.feedback(1, List.of(), List.of(new BlockReport(b.block().id(), 0, 3)), 0.05, 100 * MS);
        sch.feedback(2, List.of(), List.of(new BlockReport(b.block().id(), 0, 5)), 0.05, 100 * MS);
        Burst r = sch.next(101 * MS);
        assertTrue(r.repair());
        assertEquals(b.block().id(), r.block().id());
        assertEquals(5, r.esis().length, "the worst shortfall, no margin while fresh data waits");
        for (int esi : r.esis()) assertTrue(esi >= k, "repair symbols, not source ones");
        assertFalse(r.directory(), "everyone has the directory");
    }

    @Test
    void aMachineWhoseReportsStallIsNotSentWholeBlocksAgainButOneThatReportsWithoutABlockIs() {
        Map<ChunkId, byte[]> payloads = new java.util.HashMap<>();
        List<ChunkMeta> all = chunks(6, 9_000, 5, payloads);
        Scheduler sch = new Scheduler(0, Scheduler.Config.defaults(), 0, T);
        sch.addMachine(1, 0, all, 0);
        Burst b = sch.next(0);
        assertNotNull(b);
        // no word from the machine for 5 s (a stalled process, a slow control link): nothing resent
        for (long t = 100; t <= 5_000; t += 100) assertEquals(null, sch.next(t * MS), "at " + t + " ms");
        // it reports, mentioning no block while it still needs the chunks: it got none of the block
        sch.feedback(1, List.of(), List.of(), 0, 5_050 * MS);
        Burst again = sch.next(5_100 * MS);
        assertNotNull(again);
        assertEquals(b.block().id(), again.block().id());
        assertTrue(again.esis().length >= b.block().k(), "the whole block again");
        assertTrue(again.directory());
    }

    @Test
    void feedbackKeepsMissingCountsAndTheDirectoryFlagApart() {
        List<BlockReport> r = List.of(new BlockReport(1, 2, 200, false),
                new BlockReport(2, 255, 0, true), new BlockReport(0xffffffffL, 0, 17, true));
        assertEquals(r, FeedbackFormat.decode(new FeedbackFormat(new int[] {3}, r, 9, 1, 2, 50_000, 77).encode(), 4).blocks());
    }

    @Test
    void symbolsFillOneFrameOfTheInterface() {
        assertEquals(1448, Wire.symbolSize(1500), "1500 - 20 (IP) - 8 (UDP) - 16 (header) - 8 (tag)");
        assertEquals(1448, Wire.symbolSize(65536), "no larger than an Ethernet frame's, even on loopback");
        assertEquals(1384, Wire.symbolSize(1440), "a smaller MTU, rounded down to 8 bytes");
        assertEquals(1312, Wire.MIN_SYMBOL, "a largest chunk (256 KiB, stored raw) fits in 200 symbols");
        assertEquals(Wire.MIN_SYMBOL, Wire.symbolSize(1280), "below it (an IPv6-minimum tunnel), IP fragments");
        assertEquals(Wire.MIN_SYMBOL, Wire.symbolSize(576), "never smaller than this");
        assertTrue((long) Wire.MIN_SYMBOL * Wire.MAX_K >= io.imgcast.chunk.FastCdc.DEFAULT_MAX);
        assertTrue(Wire.MAX_PACKET + Wire.IP_UDP <= 1500);
    }

    @Test
    void aSymbolOfAnotherSizeOrSessionIsRejected() {
        Sent s = block(2, 3_000, 4);
        ByteBuffer p = packet(s, Wire.TYPE_SYMBOL, 0, 0);
        assertEquals(Wire.Reject.BAD_FIELDS, Wire.check(p, TEST_KEY, 1, T - 8), "the session's symbol size is " + T);
        assertEquals(Wire.Reject.OTHER_SESSION, Wire.check(p, TEST_KEY, 2, T));
        ByteBuffer direct = ByteBuffer.allocateDirect(Wire.MAX_PACKET);
        direct.put(p.duplicate()).flip();
        assertEquals(null, Wire.check(direct, TEST_KEY, 1, T), "a datagram in a direct buffer checks the same");
    }

    @Test
    void signedManifestRoundTripsAndRefusesDamage() {
        byte[] dict = new byte[100_000];
        for (int i = 0; i < dict.length; i++) dict[i] = (byte) (i % 251 * (i / 1000));
        SignedManifest m = new SignedManifest(ImageKind.VOLUME, new byte[64], new byte[44], dict, new byte[] {1, 2, 3});
        SignedManifest back = SignedManifest.decode(m.encode());
        assertEquals(ImageKind.VOLUME, back.kind());
        assertArrayEquals(new byte[] {1, 2, 3}, back.manifest());
        assertArrayEquals(dict, back.dictionary(), "the dictionary travels with it");
        assertTrue(m.encode().length < dict.length, "compressed");
        assertEquals(null, SignedManifest.decode(new SignedManifest(ImageKind.TREE, new byte[64], new byte[44], null, new byte[3]).encode()).dictionary());
        byte[] b = m.encode();
        assertThrows(CorruptDataException.class, () -> SignedManifest.decode(Arrays.copyOf(b, 40)));
        b[0] = 'X';
        assertThrows(CorruptDataException.class, () -> SignedManifest.decode(b));
    }
}
