package io.imgcast.trust;

import io.imgcast.state.KnownHosts;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which machines a server serves ({@code serve --admit}). {@link #ANY} serves anyone (labs, the
 * demo); {@link #known} only machines on a list, by the hardware address the machine gives or by
 * its IP address; {@code KnownHosts} the hosts of the server's inventory.
 */
@FunctionalInterface
public interface Admission {
    /** Whether the machine with this hardware address (may be null: not given) at {@code addr} is served. */
    boolean admits(String mac, InetAddress addr);

    /** Serves a machine that this or {@code other} serves. */
    default Admission or(Admission other) {
        return (mac, addr) -> admits(mac, addr) || other.admits(mac, addr);
    }

    /** Serves anyone. */
    Admission ANY = (mac, addr) -> true;

    /** Serves machines whose hardware address or IP address is listed (case and separators of MACs do not matter). */
    static Admission known(Set<String> macsOrAddresses) {
        Set<String> known = macsOrAddresses.stream().map(Admission::normal).collect(Collectors.toUnmodifiableSet());
        return (mac, addr) -> (mac != null && known.contains(normal(mac))) || (addr != null && known.contains(addr.getHostAddress()));
    }

    /** A MAC as lower-case hex pairs joined by ':' (from '-', '.', or none); anything else as given. */
    static String normal(String s) {
        String hex = s.toLowerCase(Locale.ROOT).replaceAll("[:.-]", "");
        if (hex.length() != 12 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 12; i += 2) b.append(i == 0 ? "" : ":").append(hex, i, i + 2);
        return b.toString();
    }
}
