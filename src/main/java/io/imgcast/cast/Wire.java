package io.imgcast.cast;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The multicast wire format, version 1. Every datagram starts with a 24-byte header:
 *
 * <pre>
 *   0  magic     'I' 'C'
 *   2  version   1
 *   3  type      1 SYMBOL, 2 BLOCK_INFO, 3 HEARTBEAT
 *   4  session   u32: a random id per server session; packets of other sessions are dropped
 *   8  stream    u8: which of the session's streams
 *   9  burst     u8: the block's burst counter (BLOCK_INFO, SYMBOL) — lets feedback say what it saw
 *  10  k         u8: source symbols in the block (1..200)
 *  11  esi       u8: encoding symbol id (0..k-1 source, k..255 repair)
 *  12  block     u32: block id, unique within the session
 *  16  length    u32: bytes of source data in the block (the last source symbol is zero-padded)
 *  20  crc32c    u32 over bytes 0..19 and the body
 *  24  body
 * </pre>
 *
 * SYMBOL bodies are exactly {@link #SYMBOL_SIZE} bytes. A BLOCK_INFO body is the block's
 * directory: u16 count, then per chunk: tag u64 (first 8 bytes of the chunk id), codec u8,
 * stored length u32, raw length u32 — the chunks' stored payloads lie back to back in the block
 * in that order. HEARTBEAT bodies are empty. Chunk content is checked against its full SHA-256
 * after decoding, so a forged packet can cost a retransmission but never land on disk.
 */
public final class Wire {
    public static final int HEADER = 24;
    public static final int SYMBOL_SIZE = 1400;
    public static final int MAX_PACKET = HEADER + SYMBOL_SIZE;
    public static final int MAX_K = 200;
    public static final int MAX_ESI = 255;
    public static final int MAX_CHUNKS_PER_BLOCK = 64;
    public static final int INFO_ENTRY = 17;

    public static final byte TYPE_SYMBOL = 1;
    public static final byte TYPE_INFO = 2;
    public static final byte TYPE_HEARTBEAT = 3;

    private static final byte M0 = 'I';
    private static final byte M1 = 'C';
    private static final byte VERSION = 1;

    private Wire() {}

    /** Writes a header (with the CRC over header and the body already placed after it). */
    public static void seal(ByteBuffer b, byte type, int session, int stream, int burst, int k, int esi, long block, int length, int bodyLen) {
        b.put(0, M0).put(1, M1).put(2, VERSION).put(3, type).putInt(4, session)
                .put(8, (byte) stream).put(9, (byte) burst).put(10, (byte) k).put(11, (byte) esi)
                .putInt(12, (int) block).putInt(16, length);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), b.arrayOffset(), 20);
        crc.update(b.array(), b.arrayOffset() + HEADER, bodyLen);
        b.putInt(20, (int) crc.getValue());
        b.limit(HEADER + bodyLen).position(0);
    }

    /** Why a datagram was rejected; counted per reason. */
    public enum Reject { SHORT, BAD_MAGIC, BAD_VERSION, BAD_TYPE, BAD_CRC, OTHER_SESSION, BAD_FIELDS }

    /**
     * Checks a received datagram in {@code b} (position 0, limit = its length): structure, CRC and
     * session. Returns null if acceptable, else the reason.
     */
    public static Reject check(ByteBuffer b, int session) {
        int len = b.limit();
        if (len < HEADER) return Reject.SHORT;
        if (b.get(0) != M0 || b.get(1) != M1) return Reject.BAD_MAGIC;
        if (b.get(2) != VERSION) return Reject.BAD_VERSION;
        byte type = b.get(3);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), b.arrayOffset(), 20);
        crc.update(b.array(), b.arrayOffset() + HEADER, len - HEADER);
        if ((int) crc.getValue() != b.getInt(20)) return Reject.BAD_CRC;
        if (b.getInt(4) != session) return Reject.OTHER_SESSION;
        int k = k(b);
        int blockLen = b.getInt(16);
        switch (type) {
            case TYPE_SYMBOL -> {
                if (len != MAX_PACKET) return Reject.BAD_FIELDS;
                if (k < 1 || k > MAX_K || blockLen <= 0 || blockLen > k * SYMBOL_SIZE || blockLen <= (k - 1) * SYMBOL_SIZE) return Reject.BAD_FIELDS;
            }
            case TYPE_INFO -> {
                if (len < HEADER + 2) return Reject.SHORT;
                int count = b.getShort(HEADER) & 0xffff;
                if (count < 1 || count > MAX_CHUNKS_PER_BLOCK || len != HEADER + 2 + count * INFO_ENTRY) return Reject.BAD_FIELDS;
                if (k < 1 || k > MAX_K || blockLen <= 0 || blockLen > k * SYMBOL_SIZE) return Reject.BAD_FIELDS;
                long sum = 0;
                for (int i = 0; i < count; i++) {
                    int at = HEADER + 2 + i * INFO_ENTRY;
                    int codec = b.get(at + 8);
                    long slen = b.getInt(at + 9) & 0xffffffffL;
                    long rlen = b.getInt(at + 13) & 0xffffffffL;
                    if (codec < 0 || codec > io.imgcast.codec.ChunkCodec.ZSTD_X86 || slen == 0 || rlen == 0 || rlen > (1 << 24)) return Reject.BAD_FIELDS;
                    sum += slen;
                }
                if (sum != blockLen) return Reject.BAD_FIELDS;
            }
            case TYPE_HEARTBEAT -> {
                if (len != HEADER) return Reject.BAD_FIELDS;
            }
            default -> {
                return Reject.BAD_TYPE;
            }
        }
        return null;
    }

    public static byte type(ByteBuffer b) { return b.get(3); }
    public static int stream(ByteBuffer b) { return b.get(8) & 0xff; }
    public static int burst(ByteBuffer b) { return b.get(9) & 0xff; }
    public static int k(ByteBuffer b) { return b.get(10) & 0xff; }
    public static int esi(ByteBuffer b) { return b.get(11) & 0xff; }
    public static long block(ByteBuffer b) { return b.getInt(12) & 0xffffffffL; }
    public static int length(ByteBuffer b) { return b.getInt(16); }

    /** Symbols needed for {@code length} bytes. */
    public static int symbols(long length) {
        return (int) ((length + SYMBOL_SIZE - 1) / SYMBOL_SIZE);
    }
}
