package io.imgcast.trust;

import io.imgcast.manifest.ImageSignature;

import java.util.Locale;

/**
 * A pinned key: a leading part of its fingerprint (the SHA-256 of its X.509 encoding in hex,
 * {@link ImageSignature#fingerprint}), at least {@link #MIN_HEX} hex digits
 * (64 bits: an attacker cannot make a key to match), at most the whole 64. Colons and spaces
 * are ignored, so that a fingerprint may be pasted as printed in groups.
 */
public record Pin(String hex) {
    /** Hex digits a pin needs at least. */
    public static final int MIN_HEX = 16;
    public static final int FULL_HEX = 64;

    public Pin {
        if (hex.length() < MIN_HEX || hex.length() > FULL_HEX || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a pin: " + hex);
        }
    }

    /** Reads a pin as given on the command line; a clear error when it is too short or not hex. */
    public static Pin parse(String s) {
        String h = s == null ? "" : s.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        if (!h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("a key pin must be hex digits (the fingerprint the server prints), got '" + s + "'");
        }
        if (h.length() < MIN_HEX) {
            throw new IllegalArgumentException("a key pin needs at least " + MIN_HEX + " hex digits of the fingerprint (a shorter one pins"
                    + " nothing an attacker cannot match), got " + h.length());
        }
        if (h.length() > FULL_HEX) throw new IllegalArgumentException("a key pin has at most " + FULL_HEX + " hex digits, got " + h.length());
        return new Pin(h);
    }

    /** Whether a key with this fingerprint (64 hex) is the pinned one. */
    public boolean matches(String fingerprint) {
        return fingerprint.length() == FULL_HEX && fingerprint.toLowerCase(Locale.ROOT).startsWith(hex);
    }

    @Override
    public String toString() {
        return hex;
    }
}
