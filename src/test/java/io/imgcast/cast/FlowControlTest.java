package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rate adaptation, stream choice and forged-data handling: all pure, driven by nowNs (pacing: {@link PacerTest}). */
class FlowControlTest {
    static final io.imgcast.cast.Wire.Key TEST_KEY = new io.imgcast.cast.Wire.Key(0x0123456789abcdefL, 0x0fedcba987654321L);
    @Test
    void receiveBufferOverflowsSlowTheStreamAndCalmRaisesItAgain() {
        RateController r = new RateController(1_000_000_000L, 0);
        r.onFeedback(50, 200_000_000L);
        long cut = r.rate();
        assertTrue(cut < 1_000_000_000L);
        r.onFeedback(50, 250_000_000L);
        assertEquals(cut, r.rate(), "at most one cut per 100 ms");
        r.onFeedback(0, 400_000_000L);
        for (long t = 400_000_000L; t < 10_000_000_000L; t += 50_000_000L) r.tick(t);
        assertEquals(1_000_000_000L, r.rate(), "back to the cap after calm");
    }

    @Test
    void oneLossyMachineMakesEveryoneCarryItsRepairButMovingItCostsMore() {
        CastSimulation fast = new CastSimulation(500_000_000L);
        List<ChunkMeta> all = fast.chunks(300, 20_000, 60_000, 5);
        for (int i = 0; i < 3; i++) fast.receiver(0.01, i, all, 0, 0);
        fast.receiver(0.35, 9, all, 0, 0); // a machine with 35% loss on the same stream
        assertTrue(fast.run(120_000_000_000L));
        long withSlow = fast.symbolBytes();
        CastSimulation alone = new CastSimulation(500_000_000L);
        List<ChunkMeta> all2 = alone.chunks(300, 20_000, 60_000, 5);
        for (int i = 0; i < 3; i++) alone.receiver(0.01, i, all2, 0, 0);
        assertTrue(alone.run(120_000_000_000L));
        long without = alone.symbolBytes();
        // the reason for a second stream: one bad machine makes everyone's stream carry its repair
        assertTrue(withSlow > without * 1.2, "bytes with the lossy machine " + withSlow + ", without " + without);
        // yet moving it would send the whole image again on the slow stream: the planner weighs
        // that (StreamPlannerTest) and keeps a lone lossy twin of the others where it is
        StreamPlanner.Group g = new StreamPlanner.Group(List.of(4), 0, 10_000_000, 10_000_000, 0.35, false, 0.01);
        long rate = 500_000_000L;
        assertEquals(0, StreamPlanner.defaults(2).choose(g, List.of(new StreamPlanner.StreamView(3, 10_000_000, 0.01, rate, rate),
                new StreamPlanner.StreamView(0, 0, 0, rate / 4, rate / 4))));
    }

    @Test
    void forgedChunkIsNeededAgainAndItsBlockCollectedAfresh() {
        byte[] good = new byte[3000];
        for (int i = 0; i < good.length; i++) good[i] = (byte) i;
        ChunkId id = ChunkId.hash(good, 0, good.length);
        BlockAssembler asm = new BlockAssembler(Map.of(id.prefix64(), id), CastSimulation.T, 0);
        ChunkMeta m = new ChunkMeta(id, (byte) 0, good.length, good.length);
        Block block = new Block(5, List.of(m), 0, 0, CastSimulation.T);
        byte[] forged = good.clone();
        forged[100] ^= 1;
        // a forger sends the block with altered content: the assembler hands it out, the hash check fails
        List<BlockAssembler.Completed> out = feed(asm, block, forged, 0);
        assertEquals(1, out.size());
        assertFalse(id.matches(out.get(0).payload(), 0, good.length));
        asm.rejected(id);
        assertEquals(1, asm.neededCount(), "needed again");
        // the real data then arrives and is accepted
        out = feed(asm, block, good, 1);
        assertEquals(1, out.size());
        assertTrue(id.matches(out.get(0).payload(), 0, good.length));
    }

    private static List<BlockAssembler.Completed> feed(BlockAssembler asm, Block block, byte[] payload, int burst) {
        BlockData d = BlockData.of(block, CastSimulation.T, List.of(payload));
        ByteBuffer b = ByteBuffer.allocate(Wire.MAX_PACKET);
        System.arraycopy(d.info, 0, b.array(), Wire.HEADER, d.info.length);
        Wire.seal(b, TEST_KEY, Wire.TYPE_INFO, 1, burst, block.k(), 0, block.id(), d.info.length);
        List<BlockAssembler.Completed> out = new java.util.ArrayList<>(asm.onPacket(b, 1));
        for (int esi = 0; esi < block.k(); esi++) {
            b.clear();
            d.symbol(esi, b.array(), Wire.HEADER);
            Wire.seal(b, TEST_KEY, Wire.TYPE_SYMBOL, 1, burst, block.k(), esi, block.id(), CastSimulation.T);
            out.addAll(asm.onPacket(b, 2));
        }
        return out;
    }
}
