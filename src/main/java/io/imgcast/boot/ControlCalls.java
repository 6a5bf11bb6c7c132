package io.imgcast.boot;

import io.imgcast.api.ControlJson;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.Tokens;

import javax.net.ssl.HttpsURLConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * Requests of the boot client to the control API, trusted as {@link ClientTrust} says (the
 * fingerprint from the kernel line pins the server's key): one request, its status and body.
 * Bounded: 5 s to connect, 60 s to answer, replies up to 64 MiB.
 */
final class ControlCalls {
    private ControlCalls() {}

    record Reply(int status, byte[] body) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The server's {@code error}, or the status. */
        String error() {
            try {
                Object e = ControlJson.readMap(new String(body, java.nio.charset.StandardCharsets.UTF_8)).get("error");
                if (e != null) return e.toString();
            } catch (IOException | RuntimeException ignored) {
                // not JSON
            }
            return "HTTP " + status;
        }
    }

    /** {@code method} {@code base}+{@code path} with {@code body} (null: none) and the token (null: none). */
    static Reply call(URI base, ClientTrust trust, String method, String path, byte[] body, String token) throws IOException {
        URI u = base.resolve(path);
        HttpURLConnection c = (HttpURLConnection) u.toURL().openConnection();
        if (c instanceof HttpsURLConnection s) {
            s.setSSLSocketFactory(trust.context().getSocketFactory());
            // the pinned key is what is trusted; the certificate names no host
            s.setHostnameVerifier((host, session) -> true);
        } else if (!trust.insecureHttp()) {
            throw new IOException("plain HTTP to " + base + " is not allowed without imgcast.insecure=1");
        }
        c.setUseCaches(false);
        c.setConnectTimeout(5000);
        c.setReadTimeout(60_000);
        c.setRequestMethod(method);
        if (token != null) c.setRequestProperty(Tokens.HEADER, token);
        if (body != null) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            c.setRequestProperty("Content-Type", "application/octet-stream");
            try (OutputStream o = c.getOutputStream()) {
                o.write(body);
            }
        }
        int status = c.getResponseCode();
        try (InputStream in = status / 100 == 2 ? c.getInputStream() : c.getErrorStream()) {
            return new Reply(status, in == null ? new byte[0] : in.readNBytes(64 << 20));
        }
    }
}
