package io.imgcast.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Bearer tokens: 256 random bits, base64url. A machine's token is issued at its join and must
 * come with its later requests; the admin token lives in a file only its owner (root) can read,
 * made by {@code serve} at first start and read by the CLI. Compared in constant time.
 */
public final class Tokens {
    /** The header that carries a token. */
    public static final String HEADER = "X-Imgcast-Token";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {}

    public static String fresh() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Whether {@code given} is {@code expected} (constant time; a null either way is false). */
    public static boolean same(String expected, String given) {
        if (expected == null || given == null) return false;
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /** The admin token in {@code file}, made (readable by its owner only) when there is none yet. */
    public static String adminToken(Path file) throws IOException {
        if (Files.exists(file)) return readAdminToken(file);
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        String t = fresh();
        Files.writeString(tmp, t + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return t;
    }

    /** Reads an admin token file (one line); a clear error when it is missing or empty. */
    public static String readAdminToken(Path file) throws IOException {
        String t = Files.readString(file).trim();
        if (t.isEmpty()) throw new IOException("the admin token file " + file + " is empty");
        return t;
    }
}
