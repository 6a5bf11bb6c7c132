package io.imgcast.server;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Machine tokens: each join gets a random token (in its join reply); requests about a machine
 * (feedback, needs, done, its table and manifest) must carry it in the {@link #HEADER} header, so
 * that only the machine that joined can report for itself or say goodbye. Compared in constant
 * time. Thread-safe.
 */
final class MachineTokens {
    static final String HEADER = "X-Imgcast-Token";

    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, byte[]> tokens = new ConcurrentHashMap<>();

    /** A new token for machine {@code id} (32 hex digits), replacing any earlier one. */
    String issue(int id) {
        byte[] t = new byte[16];
        random.nextBytes(t);
        String hex = HexFormat.of().formatHex(t);
        tokens.put(id, hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return hex;
    }

    /** True if {@code presented} is machine {@code id}'s token; false when absent, wrong or unknown. */
    boolean check(int id, String presented) {
        byte[] want = tokens.get(id);
        if (want == null || presented == null) return false;
        return MessageDigest.isEqual(want, presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
