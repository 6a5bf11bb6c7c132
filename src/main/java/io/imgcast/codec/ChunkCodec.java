package io.imgcast.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;

/**
 * Compresses and decompresses single chunks with zstd; a chunk that zstd cannot shrink by at
 * least 3% is kept raw. Holds native contexts: one instance per thread, closed after use.
 */
public final class ChunkCodec implements AutoCloseable {
    /** Payload encodings, as stored in packs and sent on the wire. */
    public static final byte RAW = 0;
    public static final byte ZSTD = 1;

    public static final int DEFAULT_LEVEL = 3;

    private final ZstdCompressCtx cctx;
    private final ZstdDecompressCtx dctx;

    public ChunkCodec(int level) {
        this.cctx = new ZstdCompressCtx();
        cctx.setLevel(level);
        cctx.setChecksum(false);
        cctx.setContentSize(true);
        this.dctx = new ZstdDecompressCtx();
    }

    public static int maxCompressedLength(int rawLen) {
        return (int) Zstd.compressBound(rawLen);
    }

    /**
     * Encodes {@code src} into {@code dst} (sized by {@link #maxCompressedLength}); returns the
     * encoding, with the encoded length in {@code outLen[0]}.
     */
    public byte encode(byte[] src, int off, int len, byte[] dst, int[] outLen) {
        int n = cctx.compressByteArray(dst, 0, dst.length, src, off, len);
        if (n >= len - len / 32) {
            System.arraycopy(src, off, dst, 0, len);
            outLen[0] = len;
            return RAW;
        }
        outLen[0] = n;
        return ZSTD;
    }

    /** Decodes into {@code dst}; throws {@link CorruptDataException} unless exactly rawLen bytes come out. */
    public void decode(byte codec, byte[] src, int off, int len, byte[] dst, int dstOff, int rawLen) {
        switch (codec) {
            case RAW -> {
                if (len != rawLen) throw new CorruptDataException("raw chunk has " + len + " bytes, expected " + rawLen);
                System.arraycopy(src, off, dst, dstOff, len);
            }
            case ZSTD -> {
                int n;
                try {
                    n = dctx.decompressByteArray(dst, dstOff, rawLen, src, off, len);
                } catch (RuntimeException e) {
                    throw new CorruptDataException("zstd data does not decode: " + e.getMessage());
                }
                if (n != rawLen) throw new CorruptDataException("zstd chunk gave " + n + " bytes, expected " + rawLen);
            }
            default -> throw new CorruptDataException("unknown chunk encoding " + codec);
        }
    }

    @Override
    public void close() {
        cctx.close();
        dctx.close();
    }
}
