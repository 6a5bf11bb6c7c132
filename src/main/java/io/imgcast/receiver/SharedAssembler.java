package io.imgcast.receiver;

import io.imgcast.cast.BlockAssembler;
import io.imgcast.cast.BlockReport;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A receive's {@link BlockAssembler} (not thread-safe) behind one lock, with the chunks written
 * since the last report: the datagram loop feeds it, the chunk writers tell it what they wrote
 * or rejected, the feedback loop takes reports from it and the live feed adds wanted chunks.
 * Every method holds the lock for its whole run.
 */
final class SharedAssembler implements ChunkWriter.Outcome {
    /** What a feedback round takes: completions (indexes in the chunk table), shortfalls, loss. */
    record Round(int[] completed, List<BlockReport> reports, double loss) {}

    private final BlockAssembler asm;
    /** Chunk → index in the image's chunk table (a live table's grows while it is read). */
    private final Map<ChunkId, Integer> index;
    private final List<Integer> completed = new ArrayList<>();

    SharedAssembler(BlockAssembler asm, Map<ChunkId, Integer> index) {
        this.asm = asm;
        this.index = index;
    }

    /** Takes a checked datagram; counts it as a good packet, or as rejected when the assembler dropped it (a forged directory). */
    synchronized List<BlockAssembler.Completed> onPacket(ByteBuffer p, long nowNs, Counters counters) {
        List<BlockAssembler.Completed> out = asm.onPacket(p, nowNs);
        Wire.Reject why = asm.lastReject();
        if (why != null) counters.reject(why);
        else counters.packets.incrementAndGet();
        return out;
    }

    @Override
    public synchronized void written(ChunkId id) {
        asm.done(id);
        completed.add(index.get(id));
    }

    @Override
    public synchronized void rejected(ChunkId id) {
        asm.rejected(id);
    }

    /** Chunks of a live image learnt now (tag → id). */
    synchronized void want(Map<Long, ChunkId> tags) {
        asm.want(tags);
    }

    synchronized int neededCount() {
        return asm.neededCount();
    }

    /**
     * One feedback round: the block shortfalls (null, no word on blocks, when {@code backlog}:
     * datagrams still wait in the socket, so blocks only look incomplete) and the completions, which are taken. Null, and
     * nothing taken, when {@code calm} and there is no shortfall: the round is skipped.
     */
    synchronized Round round(boolean backlog, boolean calm, long nowNs) {
        List<BlockReport> reports = backlog ? null : asm.reports(nowNs);
        if (calm && (reports == null || reports.isEmpty())) return null;
        int[] sent = completed.stream().mapToInt(Integer::intValue).toArray();
        completed.clear();
        return new Round(sent, reports, asm.lossEstimate());
    }

    /** Completions of a round that did not reach the server: told again next time. */
    synchronized void untake(int[] sent) {
        List<Integer> again = new ArrayList<>(sent.length);
        for (int i : sent) again.add(i);
        completed.addAll(0, again);
    }

    synchronized long decodes() {
        return asm.decodes();
    }

    synchronized double lossEstimate() {
        return asm.lossEstimate();
    }
}
