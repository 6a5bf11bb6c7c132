package io.imgcast.cast;

import io.imgcast.codec.CorruptDataException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;

/**
 * The signature that closes every live table slice ({@link LiveTable#encodeSlice}) as it leaves
 * the server: the slice's bytes, then 64 bytes of Ed25519 by the session's signing key over
 * {@code "imgcast-table-v1"} (16 bytes ASCII), the session id (u32) and the slice's bytes. A
 * receiver checks it with the key from its join reply (pinned, or trusted from the first master
 * it joined) before it places a chunk: a slice from anyone else cannot make it write anything.
 */
public final class TableSignature {
    public static final int LENGTH = 64;
    private static final byte[] DOMAIN = "imgcast-table-v1".getBytes(StandardCharsets.US_ASCII);

    private TableSignature() {}

    private static byte[] prefix(int session) {
        return ByteBuffer.allocate(DOMAIN.length + 4).put(DOMAIN).putInt(session).array();
    }

    /** The slice with its signature appended. */
    public static byte[] sign(PrivateKey key, int session, byte[] slice) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(prefix(session));
            s.update(slice);
            byte[] out = Arrays.copyOf(slice, slice.length + LENGTH);
            System.arraycopy(s.sign(), 0, out, slice.length, LENGTH);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a table slice: " + e.getMessage(), e);
        }
    }

    /** The slice's bytes without the signature, if {@code key}'s signature for this session checks; else a {@link CorruptDataException}. */
    public static byte[] open(PublicKey key, int session, byte[] signed) {
        if (signed.length < LENGTH) throw new CorruptDataException("chunk table slice is too short to be signed");
        byte[] slice = Arrays.copyOf(signed, signed.length - LENGTH);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(prefix(session));
            s.update(slice);
            if (s.verify(signed, slice.length, LENGTH)) return slice;
        } catch (GeneralSecurityException e) {
            // not a valid signature either
        }
        throw new CorruptDataException("chunk table slice is not signed by the session's key");
    }
}
