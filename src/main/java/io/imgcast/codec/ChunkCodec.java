package io.imgcast.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import io.imgcast.chunk.Sha256;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Compresses and decompresses single chunks with zstd; a chunk that zstd cannot shrink by at
 * least 3% is kept raw. Chunks of x86 machine code can first go through the x86 BCJ filter
 * ({@link X86Filter}); with a store dictionary, chunks are compressed against it.
 * Holds native contexts: one instance per thread, closed after use.
 */
public final class ChunkCodec implements AutoCloseable {
    /** Payload encodings, as stored in packs and sent on the wire. */
    public static final byte RAW = 0;
    public static final byte ZSTD = 1;
    /** zstd of the x86-BCJ-filtered chunk. */
    public static final byte ZSTD_X86 = 2;
    /** zstd with the store dictionary. */
    public static final byte ZSTD_DICT = 3;
    /** zstd with the store dictionary, of the x86-BCJ-filtered chunk. */
    public static final byte ZSTD_DICT_X86 = 4;

    /** For chunks compressed on the fly (a peer master, a relay): fast. */
    public static final int DEFAULT_LEVEL = 3;

    /**
     * For chunks captured into a store, with its dictionary: written once, read and sent many
     * times. Measured on three Debian trees: level 6 stores 8% less than level 3 at 2.5x the
     * compression work (level 5: 5% less at 2x).
     */
    public static final int STORE_LEVEL = 6;

    /**
     * x86 code (BCJ-filtered) is compressed this many levels lower: a level buys it half the saving
     * per CPU second that it buys other data (measured on three Debian trees, with a dictionary:
     * level 5 to 6 saves 2.3 MB of 289 MB of code for 1.1 CPU s, 2.0 MB of 181 MB of the rest for 0.5 s).
     */
    public static final int X86_LEVEL_DROP = 1;

    /** Whether chunks of this encoding decode only with the store's dictionary. */
    public static boolean needsDictionary(byte codec) {
        return codec == ZSTD_DICT || codec == ZSTD_DICT_X86;
    }

    private final int level;
    private final Dictionary dict;
    /** Made on first encode: readers only decode (a compression context and digested dictionary cost milliseconds). */
    private ZstdCompressCtx cctx;
    /** For x86 code: {@link #X86_LEVEL_DROP} levels lower (see {@link #STORE_LEVEL}). */
    private ZstdCompressCtx x86cctx;
    private final ZstdDecompressCtx dctx;
    private final ZstdDecompressCtx dictDctx;
    private final boolean hasDict;
    private byte[] filtered = new byte[0];

    public ChunkCodec(int level) {
        this(level, null);
    }

    /** {@code dict}: the store's zstd dictionary, or null; with one, encode uses it. */
    public ChunkCodec(int level, Dictionary dict) {
        this.level = level;
        this.dict = dict;
        this.dctx = new ZstdDecompressCtx();
        this.hasDict = dict != null;
        if (dict != null) {
            this.dictDctx = new ZstdDecompressCtx();
            dictDctx.loadDict(dict.decompress());
        } else {
            this.dictDctx = null;
        }
    }

    private static ZstdCompressCtx compressor(int level, Dictionary dict) {
        ZstdCompressCtx c = new ZstdCompressCtx();
        c.setLevel(level);
        c.setChecksum(false);
        c.setContentSize(true);
        if (dict != null) {
            c.loadDict(dict.compress(level));
            c.setDictID(false);
        }
        return c;
    }

    /** A trained zstd dictionary with its digested forms (shared by all threads). */
    public static final class Dictionary {
        private final byte[] bytes;
        private final Map<Integer, ZstdDictCompress> compress = new HashMap<>();
        private ZstdDictDecompress decompress;

        public Dictionary(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        public byte[] bytes() { return bytes.clone(); }

        public int size() { return bytes.length; }

        /** A short name for it: the first 8 bytes of its SHA-256, in hex. */
        public String id() {
            return HexFormat.of().formatHex(Sha256.digest(bytes, 0, bytes.length), 0, 8);
        }

        synchronized ZstdDictCompress compress(int level) {
            return compress.computeIfAbsent(level, l -> new ZstdDictCompress(bytes, l));
        }

        synchronized ZstdDictDecompress decompress() {
            if (decompress == null) decompress = new ZstdDictDecompress(bytes);
            return decompress;
        }

        /** Trains a dictionary of at most {@code size} bytes from samples; null if zstd cannot. */
        public static Dictionary train(byte[][] samples, int size, int level) {
            byte[] buf = new byte[size];
            long n;
            try {
                n = Zstd.trainFromBuffer(samples, buf, false, level);
            } catch (RuntimeException e) {
                return null; // too few or too uniform samples: no dictionary worth having
            }
            if (Zstd.isError(n) || n <= 0) return null;
            return new Dictionary(Arrays.copyOf(buf, (int) n));
        }
    }

    public static int maxCompressedLength(int rawLen) {
        return (int) Zstd.compressBound(rawLen);
    }

    /**
     * Encodes {@code src} into {@code dst} (sized by {@link #maxCompressedLength}); returns the
     * encoding, with the encoded length in {@code outLen[0]}.
     */
    public byte encode(byte[] src, int off, int len, byte[] dst, int[] outLen) {
        return encode(src, off, len, dst, outLen, false);
    }

    /** As {@link #encode(byte[], int, int, byte[], int[])}; {@code x86}: the chunk is x86 code, filter it first. */
    public byte encode(byte[] src, int off, int len, byte[] dst, int[] outLen, boolean x86) {
        byte[] in = src;
        int inOff = off;
        if (x86) {
            if (filtered.length < len) filtered = new byte[Math.max(len, 256 * 1024)];
            System.arraycopy(src, off, filtered, 0, len);
            X86Filter.encode(filtered, 0, len);
            in = filtered;
            inOff = 0;
        }
        if (cctx == null) {
            cctx = compressor(level, dict);
            x86cctx = level > X86_LEVEL_DROP + 2 ? compressor(level - X86_LEVEL_DROP, dict) : cctx;
        }
        int n = (x86 ? x86cctx : cctx).compressByteArray(dst, 0, dst.length, in, inOff, len);
        if (n >= len - len / 32) {
            System.arraycopy(src, off, dst, 0, len);
            outLen[0] = len;
            return RAW;
        }
        outLen[0] = n;
        return hasDict ? (x86 ? ZSTD_DICT_X86 : ZSTD_DICT) : (x86 ? ZSTD_X86 : ZSTD);
    }

    /** Decodes into {@code dst}; throws {@link CorruptDataException} unless exactly rawLen bytes come out. */
    public void decode(byte codec, byte[] src, int off, int len, byte[] dst, int dstOff, int rawLen) {
        switch (codec) {
            case RAW -> {
                if (len != rawLen) throw new CorruptDataException("raw chunk has " + len + " bytes, expected " + rawLen);
                System.arraycopy(src, off, dst, dstOff, len);
            }
            case ZSTD, ZSTD_X86, ZSTD_DICT, ZSTD_DICT_X86 -> {
                boolean dict = codec == ZSTD_DICT || codec == ZSTD_DICT_X86;
                if (dict && dictDctx == null) throw new CorruptDataException("chunk needs the store's zstd dictionary, which is missing");
                int n;
                try {
                    n = (dict ? dictDctx : dctx).decompressByteArray(dst, dstOff, rawLen, src, off, len);
                } catch (RuntimeException e) {
                    throw new CorruptDataException("zstd data does not decode: " + e.getMessage());
                }
                if (n != rawLen) throw new CorruptDataException("zstd chunk gave " + n + " bytes, expected " + rawLen);
                if (codec == ZSTD_X86 || codec == ZSTD_DICT_X86) X86Filter.decode(dst, dstOff, rawLen);
            }
            default -> throw new CorruptDataException("unknown chunk encoding " + codec);
        }
    }

    @Override
    public void close() {
        if (cctx != null) cctx.close();
        if (x86cctx != null && x86cctx != cctx) x86cctx.close();
        dctx.close();
        if (dictDctx != null) dictDctx.close();
    }
}
