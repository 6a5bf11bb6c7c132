package io.imgcast.cast;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The signature that closes every block directory (BLOCK_INFO body, {@link Wire}): Ed25519 by
 * the session's signing key (a server's, made per session; a peer master's, its master key) over
 * the bytes
 *
 * <pre>
 *   "imgcast-dir-v1" (14 bytes ASCII), session u32, block u32, k u8, the directory (u16 count and entries)
 * </pre>
 *
 * so that a directory cannot be moved to another block, session or k. Every machine that holds
 * the datagram key could forge a datagram; only the signer can make a directory a receiver keeps.
 * Signed once per block by the sender, checked once per block by each receiver.
 */
public final class DirectorySignature {
    private static final byte[] DOMAIN = "imgcast-dir-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private DirectorySignature() {}

    static byte[] signed(int session, long block, int k, byte[] dir, int off, int len) {
        ByteBuffer b = ByteBuffer.allocate(DOMAIN.length + 9 + len);
        b.put(DOMAIN).putInt(session).putInt((int) block).put((byte) k).put(dir, off, len);
        return b.array();
    }

    /** The signature of a directory {@code dir} (without signature) of this block. */
    public static byte[] sign(PrivateKey key, int session, long block, int k, byte[] dir) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(signed(session, block, k, dir, 0, dir.length));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a block directory: " + e.getMessage(), e);
        }
    }

    /** True if the checked BLOCK_INFO datagram {@code p} ({@link Wire#check}) carries {@code key}'s signature. */
    public static boolean verify(PublicKey key, ByteBuffer p) {
        int dirLen = 2 + (p.getShort(Wire.HEADER) & 0xffff) * Wire.INFO_ENTRY;
        if (p.limit() < Wire.HEADER + dirLen + Wire.SIGNATURE) return false;
        byte[] dir = new byte[dirLen];
        byte[] sig = new byte[Wire.SIGNATURE];
        p.get(Wire.HEADER, dir, 0, dirLen);
        p.get(Wire.HEADER + dirLen, sig, 0, Wire.SIGNATURE);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signed(p.getInt(4), Wire.block(p), Wire.k(p), dir, 0, dirLen));
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
