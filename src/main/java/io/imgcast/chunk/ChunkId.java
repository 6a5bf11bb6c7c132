package io.imgcast.chunk;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** The identity of a chunk: the SHA-256 of its uncompressed content. Immutable. */
public final class ChunkId implements Comparable<ChunkId> {
    public static final int LENGTH = 32;
    private final byte[] bytes;
    private final int hash;

    private ChunkId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = (bytes[0] & 0xff) | (bytes[1] & 0xff) << 8 | (bytes[2] & 0xff) << 16 | (bytes[3] & 0xff) << 24;
    }

    /** Wraps a copy of 32 bytes at {@code off}. */
    public static ChunkId of(byte[] b, int off) {
        return new ChunkId(Arrays.copyOfRange(b, off, off + LENGTH));
    }

    public static ChunkId of(byte[] b) {
        if (b.length != LENGTH) throw new IllegalArgumentException("chunk id must be 32 bytes, got " + b.length);
        return new ChunkId(b.clone());
    }

    public static ChunkId parse(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    /** The id of {@code len} bytes of content ({@link Sha256}). */
    public static ChunkId hash(byte[] data, int off, int len) {
        return new ChunkId(Sha256.digest(data, off, len));
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Whether {@code len} bytes of content hash to this id. */
    public boolean matches(byte[] data, int off, int len) {
        return MessageDigest.isEqual(bytes, Sha256.digest(data, off, len));
    }

    /** True if the 32 bytes at {@code off} are this id. */
    public boolean equalsAt(byte[] b, int off) {
        return Arrays.equals(bytes, 0, LENGTH, b, off, off + LENGTH);
    }

    public void copyTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, LENGTH);
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** First 8 bytes as a long: a well-distributed key for compact in-memory tables and wire tags. */
    public long prefix64() {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (bytes[i] & 0xff);
        return v;
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    public String shortHex() {
        return HexFormat.of().formatHex(bytes, 0, 6);
    }

    @Override public boolean equals(Object o) {
        return o instanceof ChunkId c && c.hash == hash && Arrays.equals(c.bytes, bytes);
    }

    @Override public int hashCode() { return hash; }

    @Override public int compareTo(ChunkId o) { return Arrays.compareUnsigned(bytes, o.bytes); }

    @Override public String toString() { return hex(); }
}
