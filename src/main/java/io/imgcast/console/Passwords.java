package io.imgcast.console;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The console's password, stored hashed: PBKDF2 with HMAC-SHA-256, a random 16-byte salt and
 * {@link #ITERATIONS} iterations (OWASP's figure for this function), written as
 * {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (base64). A stored hash keeps its own iteration
 * count, so raising the default later does not lock anyone out. Checked in constant time.
 */
public final class Passwords {
    public static final int ITERATIONS = 600_000;
    /** Shorter passwords are refused when set. */
    public static final int MIN_LENGTH = 8;
    static final String SCHEME = "pbkdf2-sha256";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {}

    /** The stored form of {@code password}; an {@link IllegalArgumentException} when it is too short. */
    public static String hash(char[] password) {
        return hash(password, ITERATIONS);
    }

    static String hash(char[] password, int iterations) {
        if (password.length < MIN_LENGTH) {
            throw new IllegalArgumentException("the console password needs at least " + MIN_LENGTH + " characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(derive(password, salt, iterations));
    }

    /** Whether {@code password} matches {@code stored}; false for a stored form this class did not write. */
    public static boolean matches(String stored, char[] password) {
        if (stored == null) return false;
        String[] p = stored.split("\\$");
        if (p.length != 4 || !p[0].equals(SCHEME)) return false;
        try {
            int iterations = Integer.parseInt(p[1]);
            if (iterations < 1 || iterations > 10_000_000) return false;
            byte[] salt = Base64.getDecoder().decode(p[2]);
            byte[] want = Base64.getDecoder().decode(p[3]);
            byte[] got = derive(password, salt, iterations);
            boolean same = MessageDigest.isEqual(want, got);
            Arrays.fill(got, (byte) 0);
            return same;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this Java runtime", e);
        } finally {
            spec.clearPassword();
        }
    }
}
