package io.imgcast.cast;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code --encrypt}: AES-128-GCM on every SYMBOL body of a session ({@link Wire}), with a
 * random key per session handed to each admitted machine in its join reply ({@code data_key}).
 * The body of T bytes (the session's symbol size) travels as T bytes of ciphertext and a 16-byte
 * GCM tag, in place. Block directories and heartbeats stay in clear (they are signed or empty).
 *
 * <p>The 12-byte nonce is the session id (u32), the block id (u32), the ESI (u8) and three zero
 * bytes; the associated data are the header fields fixed for that symbol: k, ESI, session and
 * block (bytes 2 to 11, not the burst counter). A symbol's bytes are fixed by its block and ESI
 * (a block id is never reused within a session), so a nonce only ever encrypts the same
 * plaintext with the same associated data — a retransmission is the identical datagram — and
 * GCM's nonce rule holds. One {@link Cipher} per thread and direction, reused.
 */
public final class DataCipher {
    public static final int TAG = 16;

    private final SecretKeySpec key;
    private final int session;
    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    private static final class State {
        final Cipher enc;
        final Cipher dec;
        final byte[] nonce = new byte[12];
        final byte[] aad = new byte[10];

        State() {
            try {
                enc = Cipher.getInstance("AES/GCM/NoPadding");
                dec = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no AES-GCM in this JDK", e);
            }
        }
    }

    public DataCipher(byte[] key, int session) {
        if (key.length != 16) throw new IllegalArgumentException("a data key is 16 bytes");
        this.key = new SecretKeySpec(key, "AES");
        this.session = session;
    }

    /** The cipher for a key given as 32 hex digits (a join reply's {@code data_key}). */
    public static DataCipher ofHex(String hex, int session) {
        if (hex == null || hex.length() != 32) throw new IllegalArgumentException("a data key is 32 hex digits");
        return new DataCipher(HexFormat.of().parseHex(hex), session);
    }

    public static byte[] newKey() {
        byte[] k = new byte[16];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private void params(State s, int k, int esi, long block) {
        ByteBuffer.wrap(s.nonce).putInt(0, session).putInt(4, (int) block).put(8, (byte) esi);
        ByteBuffer.wrap(s.aad).put(0, (byte) k).put(1, (byte) esi).putInt(2, session).putInt(6, (int) block);
    }

    /** Encrypts {@code len} bytes at {@code off} of {@code buf} in place, the tag after them: {@code len + TAG} bytes. */
    public void seal(byte[] buf, int off, int len, int k, int esi, long block) {
        State s = state.get();
        params(s, k, esi, block);
        try {
            try {
                s.enc.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, s.nonce));
            } catch (InvalidAlgorithmParameterException sameNonceAsLastTime) {
                // the JDK refuses the nonce it used last (a symbol sent twice in a row, as a whole
                // block resent may do): the same plaintext under it is safe; take it after another
                byte[] other = s.nonce.clone();
                other[11] = 1;
                s.enc.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, other));
                s.enc.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, s.nonce));
            }
            s.enc.updateAAD(s.aad);
            s.enc.doFinal(buf, off, len, buf, off);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a symbol: " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts the {@code len + TAG} bytes at {@code off} of {@code p} (heap or direct) in place
     * to {@code len} bytes; false, and the bytes left unusable, if the tag does not check.
     */
    public boolean open(ByteBuffer p, int off, int len, int k, int esi, long block) {
        State s = state.get();
        params(s, k, esi, block);
        ByteBuffer in = p.duplicate().limit(off + len + TAG).position(off);
        ByteBuffer out = p.duplicate().limit(off + len).position(off);
        try {
            s.dec.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, s.nonce));
            s.dec.updateAAD(s.aad);
            s.dec.doFinal(in, out);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt a symbol: " + e.getMessage(), e);
        }
    }
}
