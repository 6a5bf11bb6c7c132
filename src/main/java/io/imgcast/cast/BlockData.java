package io.imgcast.cast;

import io.imgcast.codec.fec.ReedSolomonCode;

import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of one block ready for the wire: k source symbols of the session's symbol size (the
 * last zero-padded) and the body for its BLOCK_INFO packet: the directory and its signature
 * ({@link DirectorySignature}).
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

    /** Signs a block's directory (session, block id and k are the signer's to add). */
    @FunctionalInterface
    public interface Signer {
        byte[] sign(long block, int k, byte[] directory);
    }

    /** A signer for simulations and tests of the schedule: 64 zero bytes where the signature goes. */
    public static final Signer UNSIGNED = (block, k, dir) -> new byte[Wire.SIGNATURE];

    /** A signer with a session's Ed25519 key. */
    public static Signer signer(PrivateKey key, int session) {
        return (block, k, dir) -> DirectorySignature.sign(key, session, block, k, dir);
    }

    /** {@link #of(Block, int, List, Signer)} without a signature (simulations and tests). */
    public static BlockData of(Block block, int symbolSize, List<byte[]> payloads) {
        return of(block, symbolSize, payloads, UNSIGNED);
    }

    /**
     * A block's data from its chunks' stored payloads, in block order: laid back to back into k
     * symbols of {@code symbolSize} bytes (the last zero-padded), with the block's directory
     * signed by {@code signer}.
     */
    public static BlockData of(Block block, int symbolSize, List<byte[]> payloads, Signer signer) {
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
        byte[] dir = directory(block.chunks());
        byte[] sig = signer.sign(block.id(), block.k(), dir);
        if (sig.length != Wire.SIGNATURE) throw new IllegalStateException("a directory signature is " + Wire.SIGNATURE + " bytes");
        byte[] info = Arrays.copyOf(dir, dir.length + sig.length);
        System.arraycopy(sig, 0, info, dir.length, sig.length);
        return new BlockData(sym, info);
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
    static byte[] directory(List<ChunkMeta> chunks) {
        ByteBuffer b = ByteBuffer.allocate(2 + chunks.size() * Wire.INFO_ENTRY);
        b.putShort((short) chunks.size());
        for (ChunkMeta c : chunks) {
            b.putLong(c.id().prefix64()).put(c.codec()).putInt(c.storedLength()).putInt(c.rawLength());
        }
        return b.array();
    }
}
