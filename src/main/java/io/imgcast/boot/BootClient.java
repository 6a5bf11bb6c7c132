package io.imgcast.boot;

import io.imgcast.api.ControlJson;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.manifest.Manifest;
import io.imgcast.state.Mac;
import io.imgcast.trust.ClientTrust;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The boot client's dealings with the server apart from receiving (which is {@code receive
 * --auto}'s): which NIC it speaks through, reporting a failure, registering from the menu, and
 * capturing the disk into the server's store ({@link CaptureUpload}).
 */
public final class BootClient {
    private BootClient() {}

    /**
     * The interface with {@code mac} (the NIC iPXE booted from); without one (null), the first
     * that is up, not loopback and has an IPv4 address. None is an {@link IOException} saying so.
     */
    public static String iface(String mac) throws IOException {
        List<NetworkInterface> all;
        try {
            all = Collections.list(NetworkInterface.getNetworkInterfaces());
        } catch (SocketException e) {
            throw new IOException("cannot list the network interfaces: " + e.getMessage(), e);
        }
        for (NetworkInterface n : all) {
            byte[] hw = n.getHardwareAddress();
            if (mac != null && hw != null && hw.length == 6 && Mac.of(hw).equals(mac)) return n.getName();
        }
        for (NetworkInterface n : all) {
            if (n.isUp() && !n.isLoopback() && n.inetAddresses().anyMatch(a -> a instanceof Inet4Address)) {
                if (mac == null) return n.getName();
            }
        }
        throw new IOException(mac != null ? "no network interface has the MAC " + mac + " that the machine booted from"
                : "no network interface is up with an IPv4 address: did DHCP answer?");
    }

    /** The kernel line: {@code file}, or /proc/cmdline. */
    public static BootCmdline cmdline(Path file) throws IOException {
        Path f = file != null ? file : Path.of("/proc/cmdline");
        return BootCmdline.parse(Files.readString(f, StandardCharsets.UTF_8));
    }

    /**
     * Tells the server that network boot failed on {@code mac} ({@code POST /api/v1/boot/report});
     * null when it was told, else why not (the server may be the failure).
     */
    public static String report(URI base, ClientTrust trust, String mac, String image, String error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mac", mac);
        if (image != null) m.put("image", image);
        m.put("error", error);
        try {
            ControlCalls.Reply r = ControlCalls.call(base, trust, "POST", "api/v1/boot/report", ControlJson.bytes(m), null);
            return r.ok() ? null : r.error();
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Registers this unknown machine as host {@code name} (the menu); an {@link IOException} with the server's reason if refused. */
    public static void register(URI base, ClientTrust trust, String mac, String name) throws IOException {
        ControlCalls.Reply r = ControlCalls.call(base, trust, "POST", "api/v1/boot/register", ControlJson.bytes(Map.of("mac", mac, "name", name)), null);
        if (!r.ok()) throw new IOException("the server did not register this machine: " + r.error());
    }

    /** What a capture sent. */
    public record Captured(String image, long sentChunks, long sentBytes, long skippedChunks) {}

    /**
     * Captures {@code source} (a disk: a volume image) into the server's store with the one-time
     * {@code token}; {@code name} only when the token leaves the name to the machine.
     */
    public static Captured capture(URI base, ClientTrust trust, String mac, String token, Path source, String name, Progress p) throws IOException {
        try (CaptureUpload up = CaptureUpload.open(base, trust, mac, token)) {
            Manifest m;
            try {
                m = Capture.scan(source, true, up, CaptureOptions.defaults().withProgress(p), null);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            String image = up.commit(m, name);
            return new Captured(image, up.sentChunks(), up.sentBytes(), up.skippedChunks());
        }
    }

    /**
     * The command that does a host's {@code then}: systemd's when it runs (an installed system),
     * else the boot environment's busybox ({@code reboot -f}, {@code poweroff -f}, a shell).
     */
    public static List<String> thenCommand(String then) {
        boolean systemd = Files.isDirectory(Path.of("/run/systemd/system"));
        return switch (then) {
            case "reboot" -> systemd ? List.of("systemctl", "reboot") : List.of("reboot", "-f");
            case "poweroff" -> systemd ? List.of("systemctl", "poweroff") : List.of("poweroff", "-f");
            case "shell" -> List.of("/bin/sh", "-i");
            default -> throw new IllegalArgumentException("unknown action '" + then + "'");
        };
    }
}
