package io.imgcast.cast;

import io.imgcast.chunk.FastCdc;
import io.imgcast.codec.ChunkCodec;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.zip.CRC32C;

/**
 * The multicast wire format, version 3. Every datagram is a 16-byte header, a body and an 8-byte
 * tag:
 *
 * <pre>
 *   0  ver|type  u8: version 3 in the high nibble; type in the low one:
 *                1 SYMBOL, 2 BLOCK_INFO, 3 HEARTBEAT
 *   1  burst     u8: the block's burst counter (BLOCK_INFO, SYMBOL) — lets feedback say what it saw
 *   2  k         u8: source symbols in the block (1..200)
 *   3  esi       u8: encoding symbol id (0..k-1 source, k..255 repair)
 *   4  session   u32: a random id per server session; packets of other sessions are dropped
 *   8  block     u32: block id, unique within the session (a stream's ids start at stream << 28)
 *  12  crc32c    u32 over bytes 0..11 and the body: a cheap first filter for damaged datagrams
 *  16  body
 *  16+L tag      u64: SipHash-2-4 (standard, little-endian words) under the session's 128-bit
 *                datagram key over bytes [0, 16+L), stored big-endian
 * </pre>
 *
 * The datagram key ({@link Key}) is random per session and handed to each admitted machine in
 * its join reply; a datagram whose tag does not check was not sent by a machine that joined and
 * is dropped (and counted) before anything is kept of it. Version 2 (no tag) and version 3 never
 * mix: each side drops the other's datagrams as {@link Reject#BAD_VERSION}.
 *
 * <p>SYMBOL bodies are exactly the session's symbol size T bytes ({@link #symbolSize}: the largest
 * that fits one Ethernet frame of the interface's MTU, at most {@link #MAX_SYMBOL}; receivers
 * learn it when they join). A BLOCK_INFO body is the block's directory: u16 count, then per chunk:
 * tag u64 (first 8 bytes of the chunk id), codec u8, stored length u32, raw length u32 — the
 * chunks' stored payloads lie back to back in the block in that order, the last source symbol
 * zero-padded; their total makes k symbols — then a 64-byte Ed25519 signature by the session's
 * signing key over the directory ({@link DirectorySignature}): a machine that holds the datagram
 * key still cannot forge a directory. HEARTBEAT bodies are empty. Chunk content is checked
 * against its full SHA-256 after decoding, so a forged packet can cost a retransmission but never
 * land on disk. With {@code --encrypt} a SYMBOL body is the symbol encrypted with AES-GCM and
 * its 16-byte GCM tag ({@link DataCipher}): T + 16 bytes, and the session's T is 16 bytes smaller.
 */
public final class Wire {
    public static final int HEADER = 16;
    /** The authentication tag at the end of every datagram. */
    public static final int TAG = 8;
    /** A 1500-byte frame: 1500 - 20 (IPv4) - 8 (UDP) - {@link #HEADER} - {@link #TAG}. */
    public static final int MAX_SYMBOL = 1448;
    public static final int MAX_PACKET = HEADER + MAX_SYMBOL + TAG;
    public static final int MAX_K = 200;
    /**
     * The smallest symbol: a largest chunk ({@link FastCdc#DEFAULT_MAX}, stored
     * raw) must fit in one block of {@link #MAX_K} symbols. On a link whose MTU is below
     * {@code MIN_SYMBOL + 44} (IPv6-minimum tunnels), datagrams are fragmented by IP.
     */
    public static final int MIN_SYMBOL = ((FastCdc.DEFAULT_MAX + MAX_K - 1) / MAX_K + 7) & ~7;
    public static final int MAX_ESI = 255;
    public static final int MAX_CHUNKS_PER_BLOCK = 64;
    public static final int INFO_ENTRY = 17;
    /** The Ed25519 signature closing a BLOCK_INFO body. */
    public static final int SIGNATURE = 64;
    /** IPv4 and UDP headers: what every datagram costs on top of its payload. */
    public static final int IP_UDP = 28;

    public static final byte TYPE_SYMBOL = 1;
    public static final byte TYPE_INFO = 2;
    public static final byte TYPE_HEARTBEAT = 3;

    static final int VERSION = 3;
    private static final int CRC_AT = 12;

    private Wire() {}

    /**
     * The symbol size for an interface of this MTU: one datagram per frame, a multiple of 8 bytes,
     * and never below {@link #MIN_SYMBOL}.
     */
    public static int symbolSize(int mtu) {
        int t = (mtu - IP_UDP - HEADER - TAG) & ~7;
        return Math.max(MIN_SYMBOL, Math.min(MAX_SYMBOL, t));
    }

    /**
     * A session's datagram key: 128 bits for SipHash-2-4. Made at random by the server for each
     * session; travels to admitted machines in their join reply (hex, {@link #hex}).
     */
    public record Key(long k0, long k1) {
        public static Key random() {
            SecureRandom r = new SecureRandom();
            return new Key(r.nextLong(), r.nextLong());
        }

        /** The key from its 32 hex digits; a clear error for anything else. */
        public static Key ofHex(String hex) {
            if (hex == null || hex.length() != 32) throw new IllegalArgumentException("a datagram key is 32 hex digits");
            return new Key(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
        }

        public String hex() {
            return String.format("%016x%016x", k0, k1);
        }

        @Override
        public String toString() {
            return "Key[hidden]";
        }
    }

    /**
     * Writes a header (with the CRC over header and the body already placed after it) and the
     * tag, and flips the buffer to the datagram.
     */
    public static void seal(ByteBuffer b, Key key, byte type, int session, int burst, int k, int esi, long block, int bodyLen) {
        b.put(0, (byte) (VERSION << 4 | type)).put(1, (byte) burst).put(2, (byte) k).put(3, (byte) esi)
                .putInt(4, session).putInt(8, (int) block);
        b.limit(HEADER + bodyLen + TAG).position(0);
        b.putInt(CRC_AT, crc(b, HEADER + bodyLen));
        b.putLong(HEADER + bodyLen, SipHash.hash(key.k0(), key.k1(), b, 0, HEADER + bodyLen));
    }

    /** One CRC32C per thread: every datagram is checked, and receivers run the C1 compiler (no escape analysis). */
    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    /** CRC32C over the header's first {@link #CRC_AT} bytes and the body up to {@code len}; the buffer's position and limit are kept. */
    private static int crc(ByteBuffer b, int len) {
        CRC32C crc = CRC.get();
        crc.reset();
        int position = b.position();
        int limit = b.limit();
        b.limit(CRC_AT).position(0);
        crc.update(b);
        b.limit(len).position(HEADER);
        crc.update(b);
        b.limit(limit).position(position);
        return (int) crc.getValue();
    }

    /** Why a datagram was rejected; counted per reason. */
    public enum Reject { SHORT, BAD_VERSION, BAD_TYPE, BAD_CRC, OTHER_SESSION, BAD_FIELDS, BAD_TAG, BAD_SIGNATURE, BAD_CIPHER }

    /**
     * Checks a received datagram in {@code b} (heap or direct; bytes 0 to its limit): structure,
     * CRC, session and tag under {@code key}, for a session sending symbols of {@code symbolSize}
     * bytes. Returns null if acceptable, else the reason; the buffer is not changed. The directory's signature is not checked here
     * (once per block, by the receiver's {@link BlockAssembler}).
     */
    public static Reject check(ByteBuffer b, Key key, int session, int symbolSize) {
        return check(b, key, session, symbolSize, symbolSize);
    }

    /**
     * As {@link #check(ByteBuffer, Key, int, int)} for a session whose SYMBOL bodies are
     * {@code symbolBody} bytes on the wire: {@code symbolSize} plus {@link DataCipher#TAG} when
     * the session encrypts its data.
     */
    public static Reject check(ByteBuffer b, Key key, int session, int symbolSize, int symbolBody) {
        int all = b.limit();
        if (all < HEADER + TAG) return Reject.SHORT;
        if ((b.get(0) & 0xff) >>> 4 != VERSION) return Reject.BAD_VERSION;
        int len = all - TAG;
        if (crc(b, len) != b.getInt(CRC_AT)) return Reject.BAD_CRC;
        if (b.getInt(4) != session) return Reject.OTHER_SESSION;
        if (SipHash.hash(key.k0(), key.k1(), b, 0, len) != b.getLong(len)) return Reject.BAD_TAG;
        return fields(b, len, symbolSize, symbolBody);
    }

    private static Reject fields(ByteBuffer b, int len, int symbolSize, int symbolBody) {
        int k = k(b);
        switch (type(b)) {
            case TYPE_SYMBOL -> {
                if (len != HEADER + symbolBody || k < 1 || k > MAX_K) return Reject.BAD_FIELDS;
            }
            case TYPE_INFO -> {
                if (len < HEADER + 2) return Reject.SHORT;
                int count = b.getShort(HEADER) & 0xffff;
                if (count < 1 || count > MAX_CHUNKS_PER_BLOCK || len != HEADER + 2 + count * INFO_ENTRY + SIGNATURE) return Reject.BAD_FIELDS;
                if (k < 1 || k > MAX_K) return Reject.BAD_FIELDS;
                long sum = 0;
                for (int i = 0; i < count; i++) {
                    int at = HEADER + 2 + i * INFO_ENTRY;
                    int codec = b.get(at + 8);
                    long slen = b.getInt(at + 9) & 0xffffffffL;
                    long rlen = b.getInt(at + 13) & 0xffffffffL;
                    if (codec < 0 || codec > ChunkCodec.ZSTD_DICT_X86 || slen == 0 || rlen == 0 || rlen > (1 << 24)) return Reject.BAD_FIELDS;
                    sum += slen;
                }
                if (symbols(sum, symbolSize) != k) return Reject.BAD_FIELDS;
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

    public static byte type(ByteBuffer b) { return (byte) (b.get(0) & 0x0f); }
    public static int burst(ByteBuffer b) { return b.get(1) & 0xff; }
    public static int k(ByteBuffer b) { return b.get(2) & 0xff; }
    public static int esi(ByteBuffer b) { return b.get(3) & 0xff; }
    public static long block(ByteBuffer b) { return b.getInt(8) & 0xffffffffL; }

    /** Symbols of {@code symbolSize} bytes needed for {@code length} bytes. */
    public static int symbols(long length, int symbolSize) {
        return (int) ((length + symbolSize - 1) / symbolSize);
    }
}
