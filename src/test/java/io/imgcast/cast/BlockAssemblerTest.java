package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receiver's assembly of blocks from datagrams: chunks out of source symbols, decoding after
 * any k symbols, what it ignores, and what it reports missing.
 */
class BlockAssemblerTest {
    static final io.imgcast.cast.Wire.Key TEST_KEY = new io.imgcast.cast.Wire.Key(0x0123456789abcdefL, 0x0fedcba987654321L);
    private static final int T = Wire.symbolSize(1500);
    private static final long MS = 1_000_000L;
    private static final long QUIET = 30 * MS;

    /** A block as the server sends it, from chunks of random bytes. */
    private record Sent(Block block, BlockData data, List<ChunkId> ids, List<byte[]> payloads) {
        Map<Long, ChunkId> tags() {
            Map<Long, ChunkId> m = new HashMap<>();
            for (ChunkId id : ids) m.put(id.prefix64(), id);
            return m;
        }

        int k() {
            return block.k();
        }

        ByteBuffer directory(int burst) {
            ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
            System.arraycopy(data.info, 0, p.array(), Wire.HEADER, data.info.length);
            Wire.seal(p, TEST_KEY, Wire.TYPE_INFO, 1, burst, block.k(), 0, block.id(), data.info.length);
            return checked(p);
        }

        /** Source symbol (esi < k) or repair symbol (esi >= k). */
        ByteBuffer symbol(int burst, int esi) {
            ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
            data.symbol(esi, p.array(), Wire.HEADER);
            Wire.seal(p, TEST_KEY, Wire.TYPE_SYMBOL, 1, burst, block.k(), esi, block.id(), T);
            return checked(p);
        }

        private static ByteBuffer checked(ByteBuffer p) {
            assertEquals(null, Wire.check(p, TEST_KEY, 1, T), "a well-formed datagram");
            return p;
        }
    }

    private static Sent block(long id, long seed, int... sizes) {
        Random r = new Random(seed);
        List<ChunkMeta> metas = new ArrayList<>();
        List<ChunkId> ids = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (int size : sizes) {
            byte[] p = new byte[size];
            r.nextBytes(p);
            ChunkId cid = ChunkId.hash(p, 0, p.length);
            metas.add(new ChunkMeta(cid, (byte) 0, size, size));
            ids.add(cid);
            payloads.add(p);
        }
        Block b = new Block(id, metas, 0, 0, T);
        return new Sent(b, BlockData.of(b, T, payloads), ids, payloads);
    }

    private static void assertChunk(Sent s, int i, BlockAssembler.Completed c) {
        assertEquals(s.ids().get(i), c.id());
        assertEquals(s.payloads().get(i).length, c.rawLength());
        assertArrayEquals(s.payloads().get(i), c.payload());
    }

    @Test
    void symbolsOfBlocksNeverSeenHoldBoundedMemoryAndTheRealBlockStillCompletes() {
        // a flood of symbols with new block ids (the attack that exhausted a 256 MiB heap): at
        // most a few blocks ahead of their directory hold symbols; the rest are dropped uncopied
        Sent s = block(7, 1, 3000, 3000);
        BlockAssembler asm = new BlockAssembler(s.tags(), T, QUIET);
        for (int i = 0; i < 2_100; i++) {
            ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
            Wire.seal(p, TEST_KEY, Wire.TYPE_SYMBOL, 1, 0, Wire.MAX_K, 0, 1_000 + i, T);
            assertEquals(null, Wire.check(p, TEST_KEY, 1, T));
            asm.onPacket(p, MS);
            assertTrue(asm.heldBlocks() <= BlockAssembler.MAX_EARLY_BLOCKS, "blocks holding symbols: " + asm.heldBlocks());
        }
        asm.onPacket(s.directory(0), 2 * MS);
        List<BlockAssembler.Completed> out = new ArrayList<>();
        for (int esi = 0; esi < s.k(); esi++) out.addAll(asm.onPacket(s.symbol(0, esi), 2 * MS));
        assertEquals(2, out.size(), "the real block is taken whole");
        assertChunk(s, 0, out.get(0));
        assertChunk(s, 1, out.get(1));
    }

    @Test
    void aDirectoryWithAWrongSignatureIsDroppedAndTheTrueOneIsStillTaken() throws Exception {
        java.security.KeyPair server = io.imgcast.manifest.ImageSignature.newKeyPair();
        java.security.KeyPair forger = io.imgcast.manifest.ImageSignature.newKeyPair();
        Sent s = block(7, 1, 3000, 3000);
        BlockData real = BlockData.of(s.block(), T, s.payloads(), BlockData.signer(server.getPrivate(), 1));
        BlockData forged = BlockData.of(s.block(), T, s.payloads(), BlockData.signer(forger.getPrivate(), 1));
        BlockData otherSession = BlockData.of(s.block(), T, s.payloads(), BlockData.signer(server.getPrivate(), 2));
        BlockAssembler asm = new BlockAssembler(s.tags(), T, QUIET, p -> DirectorySignature.verify(server.getPublic(), p));
        for (BlockData d : List.of(forged, otherSession)) {
            assertEquals(List.of(), asm.onPacket(info(s.block(), d), MS));
            assertEquals(Wire.Reject.BAD_SIGNATURE, asm.lastReject());
        }
        assertEquals(List.of(), asm.onPacket(info(s.block(), real), MS));
        assertEquals(null, asm.lastReject(), "the server's own directory is kept");
        List<BlockAssembler.Completed> out = new ArrayList<>();
        for (int esi = 0; esi < s.k(); esi++) out.addAll(asm.onPacket(s.symbol(0, esi), MS));
        assertEquals(2, out.size());
        assertEquals(List.of(), asm.onPacket(info(s.block(), forged), MS), "a forged directory later changes nothing");
    }

    private static ByteBuffer info(Block b, BlockData d) {
        ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
        System.arraycopy(d.info, 0, p.array(), Wire.HEADER, d.info.length);
        Wire.seal(p, TEST_KEY, Wire.TYPE_INFO, 1, 0, b.k(), 0, b.id(), d.info.length);
        assertEquals(null, Wire.check(p, TEST_KEY, 1, T));
        return p;
    }

    @Test
    void aChunkComesOutAsSoonAsItsOwnSourceSymbolsArrivedAsARangeOfTheBlocksArray() {
        // chunk 0 spans symbols 0-2 (3000 bytes of 1456-byte symbols), chunk 1 symbols 2-4
        Sent s = block(7, 1, 3000, 3000);
        assertEquals(5, s.k());
        BlockAssembler asm = new BlockAssembler(s.tags(), T, QUIET);
        assertEquals(List.of(), asm.onPacket(s.directory(0), MS));
        assertEquals(List.of(), asm.onPacket(s.symbol(0, 0), MS));
        assertEquals(List.of(), asm.onPacket(s.symbol(0, 1), MS));
        List<BlockAssembler.Completed> first = asm.onPacket(s.symbol(0, 2), MS);
        assertEquals(1, first.size(), "chunk 0 is complete; chunk 1 still lacks symbols 3 and 4");
        assertChunk(s, 0, first.get(0));
        assertEquals(List.of(), asm.onPacket(s.symbol(0, 3), MS));
        List<BlockAssembler.Completed> second = asm.onPacket(s.symbol(0, 4), MS);
        assertEquals(1, second.size());
        assertChunk(s, 1, second.get(0));
        assertSame(first.get(0).data(), second.get(0).data(), "both are ranges of the one array of the block");
        assertEquals(3000, second.get(0).offset());
        assertEquals(0, asm.decodes(), "no decoding when every source symbol came");
        assertEquals(2, asm.neededCount(), "needed until written");
        asm.done(s.ids().get(0));
        asm.done(s.ids().get(1));
        assertEquals(0, asm.neededCount());
    }

    @Test
    void symbolsThatCameBeforeTheDirectoryYieldTheirChunksWhenItArrives() {
        Sent s = block(8, 2, 2000, 900, 4000);
        BlockAssembler asm = new BlockAssembler(s.tags(), T, QUIET);
        for (int esi = 0; esi < s.k(); esi++) assertEquals(List.of(), asm.onPacket(s.symbol(0, esi), MS), "no directory yet");
        List<BlockAssembler.Completed> out = asm.onPacket(s.directory(0), 2 * MS);
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) assertChunk(s, i, out.get(i));
    }

    @Test
    void anyKOfTheSymbolsDecodeTheBlockInPlaceAndTheLossIsMeasured() {
        Sent s = block(9, 3, 5000, 7000, 2400);
        int k = s.k();
        assertEquals(10, k);
        BlockAssembler asm = new BlockAssembler(s.tags(), T, QUIET);
        List<BlockAssembler.Completed> out = new ArrayList<>(asm.onPacket(s.directory(0), MS));
        // source symbols 1, 4 and 8 are lost: chunk 0 (symbols 0-3), 1 (3-8) and 2 (8-9) all lack one
        for (int esi = 0; esi < k; esi++) if (esi != 1 && esi != 4 && esi != 8) out.addAll(asm.onPacket(s.symbol(0, esi), MS));
        out.addAll(asm.onPacket(s.directory(0), MS)); // the copy that closes the burst
        assertEquals(List.of(), out, "no chunk has all of its source symbols");
        assertEquals(3.0 / k, asm.lossEstimate(), 1e-9, "the gaps of the first burst");
        // two repair symbols: still one short
        assertEquals(List.of(), asm.onPacket(s.symbol(1, k), 50 * MS));
        assertEquals(List.of(), asm.onPacket(s.symbol(1, k + 7), 50 * MS));
        assertEquals(0, asm.decodes());
        out = asm.onPacket(s.symbol(1, 200), 50 * MS);
        assertEquals(3, out.size(), "the k-th symbol decodes the block");
        for (int i = 0; i < 3; i++) assertChunk(s, i, out.get(i));
        assertEquals(1, asm.decodes());
        assertEquals(List.of(), asm.onPacket(s.symbol(1, 1), 60 * MS), "the block is finished: a late symbol is ignored");
    }

    @Test
    void aReceiverThatLostTheDirectoryReportsItOnceTheBlockIsQuiet() {
        Sent s = block(10, 4, 3000, 3000);
        BlockAssembler asm = new BlockAssembler(s.tags(), T, QUIET);
        for (int esi = 0; esi < s.k(); esi++) assertEquals(List.of(), asm.onPacket(s.symbol(2, esi), MS));
        assertEquals(List.of(), asm.reports(MS + QUIET - 1), "not while the block may still be arriving");
        assertEquals(List.of(new BlockReport(10, 2, 0, true)), asm.reports(MS + QUIET),
                "every symbol, no directory: it lacks the directory alone");
    }

    @Test
    void duplicatesCountOnceAndADatagramAtOddsWithItsBlockIsIgnored() {
        Sent s = block(11, 5, 6000);
        int k = s.k();
        BlockAssembler asm = new BlockAssembler(s.tags(), T, QUIET);
        asm.onPacket(s.directory(0), MS);
        for (int esi = 0; esi < k - 2; esi++) assertEquals(List.of(), asm.onPacket(s.symbol(0, esi), MS));
        // the same symbols again (a duplicating network, a repeated burst) bring nothing
        for (int esi = 0; esi < k - 2; esi++) assertEquals(List.of(), asm.onPacket(s.symbol(1, esi), MS));
        assertEquals(List.of(), asm.onPacket(s.symbol(1, k + 3), MS));
        assertEquals(List.of(), asm.onPacket(s.symbol(1, k + 3), MS));
        // a datagram with this block's id but another k (forged, or from another sender): ignored
        ByteBuffer odd = ByteBuffer.allocate(Wire.MAX_PACKET);
        Wire.seal(odd, TEST_KEY, Wire.TYPE_SYMBOL, 1, 1, k + 1, k + 4, 11, T);
        assertEquals(List.of(), asm.onPacket(odd, MS));
        assertEquals(0, asm.decodes());
        assertEquals(List.of(new BlockReport(11, 1, 1)), asm.reports(MS + QUIET), "k-1 distinct symbols held: one missing");
        List<BlockAssembler.Completed> out = asm.onPacket(s.symbol(2, k + 9), 2 * MS);
        assertEquals(1, out.size(), "the k-th distinct symbol decodes the block");
        assertChunk(s, 0, out.get(0));
        assertEquals(1, asm.decodes());
    }

    @Test
    void aBlockCarryingNothingNeededIsSetAsideUntilAChunkOfItIsWanted() {
        Sent ours = block(12, 6, 3000);
        Sent foreign = block(13, 7, 3000, 1000);
        BlockAssembler asm = new BlockAssembler(ours.tags(), T, QUIET);
        assertEquals(List.of(), asm.onPacket(foreign.directory(0), MS));
        for (int esi = 0; esi < foreign.k(); esi++) assertEquals(List.of(), asm.onPacket(foreign.symbol(0, esi), MS));
        assertEquals(List.of(), asm.reports(MS + QUIET), "another machine's block is never reported");
        // a live table learns, later, that this machine needs the second chunk of that block
        BlockAssembler live = new BlockAssembler(Map.of(), T, QUIET);
        live.want(Map.of());
        live.onPacket(foreign.directory(0), MS);
        for (int esi = 0; esi < foreign.k(); esi++) live.onPacket(foreign.symbol(0, esi), MS);
        ChunkId second = foreign.ids().get(1);
        live.want(Map.of(second.prefix64(), second));
        List<BlockAssembler.Completed> out = new ArrayList<>(live.onPacket(foreign.directory(1), 100 * MS));
        for (int esi = 0; esi < foreign.k(); esi++) out.addAll(live.onPacket(foreign.symbol(1, esi), 100 * MS));
        assertEquals(1, out.size(), "the block is let in again when it comes around");
        assertChunk(foreign, 1, out.get(0));
    }

    @Test
    void aReportListsEachBlocksShortfallItsBurstAndBlocksWaitingForTheirWrites() {
        Sent a = block(20, 8, 9000); // lacks 3 symbols
        Sent b = block(21, 9, 4000, 4000); // complete, chunks handed out, not yet written
        Sent c = block(22, 10, 3000); // lacks its directory and one symbol
        Sent d = block(23, 11, 3000); // still arriving
        Map<Long, ChunkId> tags = new HashMap<>(a.tags());
        tags.putAll(b.tags());
        tags.putAll(c.tags());
        tags.putAll(d.tags());
        BlockAssembler asm = new BlockAssembler(tags, T, QUIET);
        asm.onPacket(a.directory(3), MS);
        for (int esi = 3; esi < a.k(); esi++) asm.onPacket(a.symbol(3, esi), MS);
        asm.onPacket(b.directory(0), MS);
        List<BlockAssembler.Completed> out = new ArrayList<>();
        for (int esi = 0; esi < b.k(); esi++) out.addAll(asm.onPacket(b.symbol(0, esi), MS));
        assertEquals(2, out.size());
        for (int esi = 1; esi < c.k(); esi++) asm.onPacket(c.symbol(1, esi), MS);
        asm.onPacket(d.symbol(0, 0), 20 * MS);

        List<BlockReport> r = asm.reports(MS + QUIET);
        assertEquals(3, r.size(), "d is not quiet yet: " + r);
        assertTrue(r.contains(new BlockReport(20, 3, 3, false)), r.toString());
        assertTrue(r.contains(new BlockReport(21, 0, 0, false)), "written chunks are not done yet: " + r);
        assertTrue(r.contains(new BlockReport(22, 1, 1, true)), r.toString());

        asm.done(b.ids().get(0));
        assertTrue(asm.reports(MS + QUIET).contains(new BlockReport(21, 0, 0, false)), "one chunk of b still being written");
        asm.done(b.ids().get(1));
        List<BlockReport> later = asm.reports(20 * MS + QUIET);
        assertEquals(3, later.size(), later.toString());
        assertTrue(later.contains(new BlockReport(23, 0, d.k() - 1, true)), later.toString());
        assertTrue(later.stream().noneMatch(x -> x.block() == 21), "b is written: " + later);
    }
}
