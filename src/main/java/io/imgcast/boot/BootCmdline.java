package io.imgcast.boot;

import io.imgcast.state.Mac;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * What the boot client reads from the kernel line ({@code /proc/cmdline}) that {@link IpxeScript}
 * wrote: {@code imgcast.server=URL}, {@code imgcast.fp=HEX} (the server key's fingerprint, pinned),
 * {@code imgcast.mac=MAC} (the NIC iPXE booted from; absent: the NIC that got an address), and
 * {@code imgcast.insecure=1} (plain HTTP to the server).
 */
public record BootCmdline(URI server, String fingerprint, String mac, boolean insecure) {
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{16,64}");

    /** Parses a kernel command line; what is missing or malformed is an {@link IllegalArgumentException} saying so. */
    public static BootCmdline parse(String cmdline) {
        String server = null;
        String fp = null;
        String mac = null;
        boolean insecure = false;
        for (String word : cmdline.trim().split("\\s+")) {
            int eq = word.indexOf('=');
            String key = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? "" : word.substring(eq + 1);
            switch (key) {
                case "imgcast.server" -> server = value;
                case "imgcast.fp" -> fp = value;
                case "imgcast.mac" -> mac = value;
                case "imgcast.insecure" -> insecure = value.equals("1");
                default -> { }
            }
        }
        if (server == null || server.isEmpty()) {
            throw new IllegalArgumentException("the kernel line names no server (imgcast.server=URL): was this machine booted by 'imgcast serve --boot'?");
        }
        URI u;
        try {
            u = URI.create(server);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("imgcast.server=" + server + " is not a URL");
        }
        if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && insecure) || u.getHost() == null) {
            throw new IllegalArgumentException("imgcast.server=" + server + " must be an https:// URL (http:// only with imgcast.insecure=1)");
        }
        if (fp != null && !HEX.matcher(fp).matches()) throw new IllegalArgumentException("imgcast.fp=" + fp + " is not a hex fingerprint");
        if (fp == null && !insecure) throw new IllegalArgumentException("the kernel line pins no server key (imgcast.fp=HEX): refusing to trust the server unchecked");
        return new BootCmdline(u, fp, mac == null || mac.isEmpty() ? null : Mac.normalize(mac), insecure);
    }
}
