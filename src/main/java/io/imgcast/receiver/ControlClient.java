package io.imgcast.receiver;

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

    /** GETs a binary resource (at most {@code max} bytes); an error status becomes {@link Refused}. */
    byte[] getBytes(String path, int max) throws IOException {
        HttpURLConnection c = open(path, "GET");
        int status = c.getResponseCode();
        try (InputStream in = status / 100 == 2 ? c.getInputStream() : c.getErrorStream()) {
            byte[] b = in == null ? new byte[0] : in.readNBytes(max + 1);
            if (status / 100 != 2) throw new Refused(status, errorOf(new String(b, StandardCharsets.UTF_8), status));
            if (b.length > max) throw new IOException("server sent more than " + max + " bytes");
            return b;
        }
    }

    /** GETs a JSON object; an error status becomes {@link Refused}. */
    Map<String, Object> getJson(String path) throws IOException {
        return JSON.std.mapFrom(new String(getBytes(path, 64 << 20), StandardCharsets.UTF_8));
    }

    private static String errorOf(String text, int status) {
        try {
            return String.valueOf(JSON.std.mapFrom(text).getOrDefault("error", "HTTP " + status));
        } catch (IOException | RuntimeException e) {
            return "HTTP " + status;
        }
    }

    private HttpURLConnection open(String path, String method) throws IOException {
        HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        c.setConnectTimeout(3000);
        c.setReadTimeout(10_000);
        c.setRequestMethod(method);
        c.setUseCaches(false);
        return c;
    }

    Map<String, Object> post(String path, byte[] body, String type) throws IOException {
        HttpURLConnection c = open(path, "POST");
        c.setDoOutput(true);
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
