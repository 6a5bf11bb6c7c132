package io.imgcast.state;

import java.net.NetworkInterface;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A machine's Ethernet address, normalised to {@code aa:bb:cc:dd:ee:ff}. Accepts colons, dashes,
 * Cisco dots or bare hex, in either case; refuses anything else, the all-zero address and
 * multicast addresses (which no machine's interface has).
 */
public final class Mac {
    private Mac() {}

    /** The normalised form of {@code s}; a clear {@link IllegalArgumentException} when it is not a machine's MAC. */
    public static String normalize(String s) {
        if (s == null) throw new IllegalArgumentException("a MAC address is required, e.g. 52:54:00:12:34:56");
        String hex = s.trim().toLowerCase(Locale.ROOT).replaceAll("[:.-]", "");
        if (!hex.matches("[0-9a-f]{12}") || !s.trim().matches("[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}(\\.[0-9A-Fa-f]{4}){2}|[0-9A-Fa-f]{12}")) {
            throw new IllegalArgumentException("'" + s + "' is not a MAC address; write it as 52:54:00:12:34:56");
        }
        if (hex.equals("000000000000")) throw new IllegalArgumentException("'" + s + "' is the all-zero MAC address, no machine's");
        if ((Integer.parseInt(hex.substring(0, 2), 16) & 1) != 0) {
            throw new IllegalArgumentException("'" + s + "' is a multicast MAC address, no machine's");
        }
        StringBuilder b = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) b.append(':');
            b.append(hex, i, i + 2);
        }
        return b.toString();
    }

    /** The normalised form of six address bytes (as {@link NetworkInterface#getHardwareAddress} gives them). */
    public static String of(byte[] address) {
        if (address == null || address.length != 6) throw new IllegalArgumentException("not an Ethernet address");
        return normalize(HexFormat.of().formatHex(address));
    }

    /** Whether {@code s} reads as a MAC address (for commands taking a MAC or a name). */
    public static boolean looksLike(String s) {
        try {
            normalize(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
