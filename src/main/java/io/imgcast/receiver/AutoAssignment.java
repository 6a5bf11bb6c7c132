package io.imgcast.receiver;

import io.imgcast.api.Assignment;
import io.imgcast.api.ControlJson;
import io.imgcast.state.DiskRule;
import io.imgcast.state.Mac;
import io.imgcast.trust.ClientTrust;

import javax.net.ssl.HttpsURLConnection;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code receive --auto} does before and after receiving: finds the machine's MAC, asks the
 * server what to do ({@code GET /api/v1/assignment}, over TLS trusted as the receive that follows
 * trusts the server: the same {@link ClientTrust}, so a key first seen here is the pin there), picks
 * the disk by the assignment's rule, and names the command for its {@code then} action.
 */
public final class AutoAssignment {
    private AutoAssignment() {}

    /** The MAC of interface {@code iface}, normalised. */
    public static String mac(String iface) throws SocketException {
        NetworkInterface nif = NetworkInterface.getByName(iface);
        byte[] hw = nif == null ? null : nif.getHardwareAddress();
        if (hw == null || hw.length != 6) {
            throw new IllegalArgumentException("interface '" + iface + "' has no Ethernet address to ask by; give --mac MAC");
        }
        return Mac.of(hw);
    }

    /**
     * Asks the server at {@code server} (a base URL ending in '/', as {@link ClientTrust#base}
     * makes it) what the machine with {@code mac} should do, trusting it as {@code trust} says.
     */
    public static Assignment ask(URI server, ClientTrust trust, String mac) throws IOException {
        URI u = server.resolve("api/v1/assignment?mac=" + URLEncoder.encode(mac, StandardCharsets.UTF_8));
        HttpURLConnection c = (HttpURLConnection) u.toURL().openConnection();
        if (c instanceof HttpsURLConnection s) {
            s.setSSLSocketFactory(trust.context().getSocketFactory());
            // the key is what is trusted (pinned or first seen), not a name: the certificate names no host
            s.setHostnameVerifier((host, session) -> true);
        } else if (!trust.insecureHttp()) {
            throw new IOException("plain HTTP to " + server + " is not allowed without --insecure-http");
        }
        c.setUseCaches(false);
        c.setConnectTimeout(3000);
        c.setReadTimeout(10_000);
        int status = c.getResponseCode();
        String body;
        try (InputStream in = status / 100 == 2 ? c.getInputStream() : c.getErrorStream()) {
            body = in == null ? "" : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        if (status == 404) throw new IOException("the server at " + server + " does not hand out assignments (an older version?); give --image");
        if (status / 100 != 2) {
            Object err;
            try {
                err = ControlJson.readMap(body).get("error");
            } catch (IOException e) {
                err = null;
            }
            throw new IOException("the server at " + server + " would not say what to do: " + (err != null ? err : "HTTP " + status));
        }
        return ControlJson.read(Assignment.class, body);
    }

    /** The disk that {@code rule} picks among the disks under {@code root} ({@code /}: this machine's). */
    public static DiskRule.Match disk(String rule, Path root) throws IOException {
        return DiskRule.parse(rule).match(BlockDevices.scan(root));
    }

    /** The command that does {@code then}: reboot, poweroff or shell. */
    public static List<String> thenCommand(String then) {
        return switch (then) {
            case "reboot" -> List.of("systemctl", "reboot");
            case "poweroff" -> List.of("systemctl", "poweroff");
            case "shell" -> List.of("/bin/sh", "-i");
            default -> throw new IllegalArgumentException("unknown action '" + then + "'");
        };
    }
}
