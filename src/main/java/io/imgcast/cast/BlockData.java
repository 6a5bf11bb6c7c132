package io.imgcast.cast;

import io.imgcast.codec.fec.ReedSolomonCode;

/**
 * The bytes of one block ready for the wire: k source symbols of the session's symbol size (the
 * last zero-padded) and the directory body for its BLOCK_INFO packet.
 */
public final class BlockData {
    private static final ReedSolomonCode[] CODES = new ReedSolomonCode[Wire.MAX_K + 1];

    final byte[][] symbols;
    public final byte[] info;
    final ReedSolomonCode code;

    public BlockData(byte[][] symbols, byte[] info) {
        this.symbols = symbols;
        this.info = info;
        this.code = code(symbols.length);
    }

    /**
     * A block's data from its chunks' stored payloads, in block order: laid back to back into k
     * symbols of {@code symbolSize} bytes (the last zero-padded), with the block's directory.
     */
    public static BlockData of(Block block, int symbolSize, java.util.List<byte[]> payloads) {
        byte[][] sym = new byte[block.k()][symbolSize];
        int pos = 0;
        for (byte[] p : payloads) {
            for (int off = 0; off < p.length; ) {
                int n = Math.min(symbolSize - pos % symbolSize, p.length - off);
                System.arraycopy(p, off, sym[pos / symbolSize], pos % symbolSize, n);
                off += n;
                pos += n;
            }
        }
        return new BlockData(sym, directory(block.chunks()));
    }

    static synchronized ReedSolomonCode code(int k) {
        ReedSolomonCode c = CODES[k];
        if (c == null) {
            c = new ReedSolomonCode(k, Wire.MAX_ESI + 1 - k);
            CODES[k] = c;
        }
        return c;
    }

    /** Writes symbol {@code esi} (source or repair) into {@code out} at {@code off}. */
    public void symbol(int esi, byte[] out, int off) {
        int k = symbols.length;
        int t = symbols[0].length;
        if (esi < k) System.arraycopy(symbols[esi], 0, out, off, t);
        else code.encodeRepair(symbols, esi, out, off, t);
    }

    /** Builds the directory body: u16 count, then tag u64, codec u8, stored u32, raw u32 per chunk. */
    static byte[] directory(java.util.List<ChunkMeta> chunks) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 + chunks.size() * Wire.INFO_ENTRY);
        b.putShort((short) chunks.size());
        for (ChunkMeta c : chunks) {
            b.putLong(c.id().prefix64()).put(c.codec()).putInt(c.storedLength()).putInt(c.rawLength());
        }
        return b.array();
    }
}
