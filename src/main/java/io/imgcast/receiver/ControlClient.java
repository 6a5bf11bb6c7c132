package io.imgcast.receiver;

import io.imgcast.api.ControlJson;
import io.imgcast.api.DoneRequest;
import io.imgcast.api.FeedbackReply;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.cast.FeedbackFormat;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.HttpsURLConnection;

/**
 * The receiver's side of the control API ({@code io.imgcast.api}): small blocking HTTP calls
 * with a timeout. Plain {@link HttpURLConnection} (persistent connections, no selector thread
 * or futures): a receiver reports ten times a second, and on a busy machine the lighter client
 * is measurably cheaper.
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

    /** The longest JSON answer read (a join, feedback or error reply is a few hundred bytes). */
    static final int MAX_REPLY = 64 * 1024;

    private final URI base;
    private final ClientTrust trust;
    private volatile String token;

    ControlClient(URI base, ClientTrust trust) {
        this.base = base;
        this.trust = trust;
    }

    /** The token the server issued at the join, sent on every later request (null: none). */
    void token(String t) {
        this.token = t;
    }

    /** Joins the session for an image. */
    JoinReply join(JoinRequest request) throws IOException {
        return read(JoinReply.class, exchange("api/v1/join", ControlJson.bytes(request), "application/json"));
    }

    /** Posts binary feedback ({@code FeedbackFormat}) to {@code path}. */
    FeedbackReply feedback(String path, byte[] body) throws IOException {
        return read(FeedbackReply.class, exchange(path, body, "application/octet-stream"));
    }

    /** Says the machine is done (or failed) to {@code path}. */
    void done(String path, DoneRequest request) throws IOException {
        post(path, ControlJson.bytes(request), "application/json");
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

    /** POSTs a body whose JSON answer does not matter; an error status becomes {@link Refused}. */
    void post(String path, byte[] body, String type) throws IOException {
        String text = exchange(path, body, type);
        if (!text.isEmpty()) checkReadable(text, 200);
    }

    /** POSTs a body; returns the answer's text, or throws {@link Refused} for an error status. */
    private String exchange(String path, byte[] body, String type) throws IOException {
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
            // read to the end, so that the connection can be reused; bounded
            byte[] b = in == null ? new byte[0] : in.readNBytes(MAX_REPLY + 1);
            if (b.length > MAX_REPLY) {
                c.disconnect();
                throw new IOException("server sent an answer longer than " + MAX_REPLY + " bytes");
            }
            text = new String(b, StandardCharsets.UTF_8);
        }
        if (status / 100 != 2) {
            if (!text.isEmpty()) checkReadable(text, status);
            throw new Refused(status, errorOf(text, status));
        }
        return text;
    }

    private static <T> T read(Class<T> type, String text) throws IOException {
        try {
            return ControlJson.read(type, text);
        } catch (IOException | RuntimeException e) {
            throw new IOException("server sent an unreadable answer (200)");
        }
    }

    private static void checkReadable(String text, int status) throws IOException {
        try {
            ControlJson.readMap(text);
        } catch (IOException e) {
            throw new IOException("server sent an unreadable answer (" + status + ")");
        }
    }

    private static String errorOf(String text, int status) {
        try {
            return String.valueOf(ControlJson.readMap(text).getOrDefault("error", "HTTP " + status));
        } catch (IOException | RuntimeException e) {
            return "HTTP " + status;
        }
    }

    private HttpURLConnection open(String path, String method) throws IOException {
        HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection();
        if (c instanceof HttpsURLConnection s) {
            s.setSSLSocketFactory(trust.context().getSocketFactory());
            // the key is what is trusted (pinned), not a name: the certificate names no host
            s.setHostnameVerifier((host, session) -> true);
        } else if (!trust.insecureHttp()) {
            throw new IOException("plain HTTP to " + base + " is not allowed without --insecure-http");
        }
        String t = token;
        if (t != null) c.setRequestProperty(Tokens.HEADER, t);
        c.setConnectTimeout(3000);
        c.setReadTimeout(10_000);
        c.setRequestMethod(method);
        c.setUseCaches(false);
        return c;
    }
}
