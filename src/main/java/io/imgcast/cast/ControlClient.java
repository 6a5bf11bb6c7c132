package io.imgcast.cast;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The receiver's side of the control API: small blocking HTTP calls with a timeout. Plain
 * {@link HttpURLConnection} (persistent connections, no selector thread or futures): a receiver
 * reports ten times a second, and on a busy machine the lighter client is measurably cheaper.
 */
final class ControlClient {
    /** The server answered with an error status. */
    static final class Refused extends IOException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final URI base;

    ControlClient(URI base) {
        this.base = base;
    }

    Map<String, Object> postJson(String path, Map<String, Object> body) throws IOException {
        return post(path, JSON.std.asBytes(body), "application/json");
    }

    Map<String, Object> post(String path, byte[] body, String type) throws IOException {
        HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        c.setConnectTimeout(3000);
        c.setReadTimeout(10_000);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setUseCaches(false);
        c.setRequestProperty("Content-Type", type);
        c.setFixedLengthStreamingMode(body.length);
        try (OutputStream o = c.getOutputStream()) {
            o.write(body);
        }
        int status = c.getResponseCode();
        String text;
        try (InputStream in = status / 100 == 2 ? c.getInputStream() : c.getErrorStream()) {
            // read to the end, so that the connection can be reused
            text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Object> m;
        try {
            m = text.isEmpty() ? Map.of() : JSON.std.mapFrom(text);
        } catch (IOException e) {
            throw new IOException("server sent an unreadable answer (" + status + ")");
        }
        if (status / 100 != 2) throw new Refused(status, String.valueOf(m.getOrDefault("error", "HTTP " + status)));
        return m;
    }
}
