package io.imgcast.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;

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

    public static final int DEFAULT_LEVEL = 3;

    /** Whether chunks of this encoding decode only with the store's dictionary. */
    public static boolean needsDictionary(byte codec) {
        return codec == ZSTD_DICT || codec == ZSTD_DICT_X86;
    }

    private final ZstdCompressCtx cctx;
    private final ZstdDecompressCtx dctx;
    private final ZstdDecompressCtx dictDctx;
    private final boolean hasDict;
    private byte[] filtered = new byte[0];

    public ChunkCodec(int level) {
        this(level, null);
    }

    /** {@code dict}: the store's zstd dictionary, or null; with one, encode uses it. */
    public ChunkCodec(int level, Dictionary dict) {
        this.cctx = new ZstdCompressCtx();
        cctx.setLevel(level);
        cctx.setChecksum(false);
        cctx.setContentSize(true);
        this.dctx = new ZstdDecompressCtx();
        this.hasDict = dict != null;
        if (dict != null) {
            cctx.loadDict(dict.compress(level));
            cctx.setDictID(false);
            this.dictDctx = new ZstdDecompressCtx();
            dictDctx.loadDict(dict.decompress());
        } else {
            this.dictDctx = null;
        }
    }

    /** A trained zstd dictionary with its digested forms (shared by all threads). */
    public static final class Dictionary {
        private final byte[] bytes;
        private ZstdDictCompress compress;
        private int compressLevel;
        private ZstdDictDecompress decompress;

        public Dictionary(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        public byte[] bytes() { return bytes.clone(); }

        synchronized ZstdDictCompress compress(int level) {
            if (compress == null || compressLevel != level) {
                compress = new ZstdDictCompress(bytes, level);
                compressLevel = level;
            }
            return compress;
        }

        synchronized ZstdDictDecompress decompress() {
            if (decompress == null) decompress = new ZstdDictDecompress(bytes);
            return decompress;
        }

        /** Trains a dictionary of at most {@code size} bytes from samples; null if zstd cannot. */
        public static Dictionary train(byte[][] samples, int size, int level) {
            byte[] buf = new byte[size];
            long n = Zstd.trainFromBuffer(samples, buf, false, level);
            if (Zstd.isError(n)) return null;
            return new Dictionary(java.util.Arrays.copyOf(buf, (int) n));
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
        int n = cctx.compressByteArray(dst, 0, dst.length, in, inOff, len);
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
        cctx.close();
        dctx.close();
        if (dictDctx != null) dictDctx.close();
    }
}
