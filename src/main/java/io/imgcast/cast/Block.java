package io.imgcast.cast;

import java.util.List;

/**
 * A FEC source block on the wire: the stored payloads of up to {@link Wire#MAX_CHUNKS_PER_BLOCK}
 * chunks back to back, cut into k symbols of the session's symbol size. Repair symbols
 * (ESI k..255) heal any k-of-n losses, whatever symbols each receiver lost.
 * Mutable send state (burst counter, next repair ESI) is owned by the {@link Scheduler}.
 */
public final class Block {
    final long id;
    final List<ChunkMeta> chunks;
    final int length;
    final int k;
    final int priority;
    final long createdNs;
    int burst;
    long lastBurstNs;
    int bursts;
    private int nextEsi;

    Block(long id, List<ChunkMeta> chunks, int priority, long nowNs, int symbolSize) {
        this.id = id;
        this.chunks = List.copyOf(chunks);
        int len = 0;
        for (ChunkMeta c : chunks) len += c.storedLength();
        this.length = len;
        this.k = Wire.symbols(len, symbolSize);
        this.priority = priority;
        this.createdNs = nowNs;
        this.nextEsi = k;
    }

    public long id() { return id; }
    public List<ChunkMeta> chunks() { return chunks; }
    public int length() { return length; }
    public int k() { return k; }

    /** The next {@code n} ESIs for a repair burst: repair symbols first, then the source ones again. */
    int[] takeRepairEsis(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = nextEsi;
            nextEsi = nextEsi >= Wire.MAX_ESI ? 0 : nextEsi + 1;
            if (nextEsi == k) nextEsi = k; // wrapped through the source symbols back to repairs
        }
        return out;
    }
}
