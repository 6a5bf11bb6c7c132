package io.imgcast.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.imgcast.api.ControlJson;
import io.imgcast.api.DoneRequest;
import io.imgcast.api.ErrorReply;
import io.imgcast.api.FeedbackReply;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.api.NeedsReply;
import io.imgcast.api.RefuseRequest;
import io.imgcast.api.Status;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The control API over HTTP: routes requests, reads their JSON or binary bodies and writes the
 * answers; what they mean is the {@link Handler}'s (the server). Routes (JSON unless noted):
 * <ul>
 * <li>{@code POST /api/v1/join} {@link JoinRequest} → {@link JoinReply};
 * <li>{@code POST /api/v1/refuse} {@link RefuseRequest} → {@code {"ok":true}};
 * <li>{@code POST /api/v1/machines/ID/needs[?from=A&to=B]} (bitmap over the image's chunk table,
 *     or over its part [A, B) for an image still being read) → {@link NeedsReply};
 * <li>{@code GET /api/v1/machines/ID/table?from=N} (binary: a live image's table from placement N);
 * <li>{@code GET /api/v1/machines/ID/manifest} (binary: the signed manifest; 503 while a live image is read);
 * <li>{@code POST /api/v1/machines/ID/feedback} (binary feedback) → {@link FeedbackReply};
 * <li>{@code POST /api/v1/machines/ID/done} {@link DoneRequest} → {@code {"ok":true}};
 * <li>{@code GET /api/v1/status} → {@link Status}; {@code GET /} the admin console and {@code GET /metrics} ({@code ServerConsole}).
 * </ul>
 * A machine's requests after its join carry the token the join issued (header
 * {@code X-Imgcast-Token}); a wrong one gets 403. Status may need the admin token in the same header.
 * Errors are {@link ErrorReply} bodies; an unknown machine gets 404 with {@code "state":"unknown"}
 * (join again).
 *
 * <p>Slow or hostile clients cannot stall it: each exchange runs on its own virtual thread, a
 * request (headers and body, TLS handshake included) must arrive within {@link #MAX_REQUEST_S}
 * seconds and a reply be taken within {@link #MAX_REPLY_S} seconds or the connection is closed,
 * and every request body is read up to a bound.
 */
final class ControlApi implements AutoCloseable {
    /** Seconds a client has to send a whole request (the JDK server closes the connection after). */
    static final int MAX_REQUEST_S = 10;
    /** Seconds a client has to take a whole reply. */
    static final int MAX_REPLY_S = 30;
    /** Open connections at most (receivers keep one each). */
    static final int MAX_CONNECTIONS = 4096;

    static {
        // the JDK's HTTP server reads these once, when its first server is made; an operator's
        // own setting (-D) wins
        setDefault("sun.net.httpserver.maxReqTime", MAX_REQUEST_S);
        setDefault("sun.net.httpserver.maxRspTime", MAX_REPLY_S);
        setDefault("jdk.httpserver.maxConnections", MAX_CONNECTIONS);
    }

    private static void setDefault(String key, int value) {
        if (System.getProperty(key) == null) System.setProperty(key, Integer.toString(value));
    }

    /** What the routes do. */
    interface Handler {
        JoinReply join(JoinRequest request, InetAddress from) throws Refusal;

        void refuse(RefuseRequest request, InetAddress from);

        /**
         * The machine with that id, now known to be alive; null when unknown or a refusal; a
         * {@link Refusal} (403) when {@code token} is not the one it was issued at its join.
         */
        Machine contact(int id, String token) throws Refusal;

        byte[] table(Machine m, long from) throws Refusal;

        byte[] manifest(Machine m) throws Refusal;

        /** {@code bits} covers chunks [from, to) of the machine's table. */
        NeedsReply needs(Machine m, long from, long to, byte[] bits);

        FeedbackReply feedback(Machine m, byte[] body);

        void done(Machine m, DoneRequest request);

        /** The status, for a caller with that token (null: none); a {@link Refusal} when the token is needed and wrong. */
        Status status(String token) throws Refusal;
    }

    /** A request the handler answers with an error status. */
    static final class Refusal extends Exception {
        final int status;
        final ErrorReply reply;

        Refusal(int status, ErrorReply reply) {
            super(reply.error());
            this.status = status;
            this.reply = reply;
        }
    }

    private static final String OK = "{\"ok\":true}";
    private static final String NOT_FOUND = "{\"error\":\"not found\"}";

    private final Handler handler;
    private final HttpServer http;
    private final boolean tls;
    /** Bytes of HTTP reply bodies sent (descriptive data, tables, acknowledgements). */
    private final AtomicLong controlBytes = new AtomicLong();

    ControlApi(InetSocketAddress listen, Handler handler) throws IOException {
        this(listen, handler, null);
    }

    /** {@code tls}: the server's TLS context (TLS 1.3 only), or null for plain HTTP. */
    ControlApi(InetSocketAddress listen, Handler handler, SSLContext tls) throws IOException {
        this.handler = handler;
        this.tls = tls != null;
        if (tls != null) {
            HttpsServer https = HttpsServer.create(listen, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = tls.getDefaultSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3"});
                    p.setNeedClientAuth(false);
                    params.setSSLParameters(p);
                }
            });
            this.http = https;
        } else {
            this.http = HttpServer.create(listen, 64);
        }
        http.setExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("imgcast-http-", 0).factory()));
        http.createContext("/api/v1/join", this::join);
        http.createContext("/api/v1/machines/", this::machine);
        http.createContext("/api/v1/refuse", this::refuse);
        http.createContext("/api/v1/status", ex -> {
            try {
                reply(ex, 200, ControlJson.write(handler.status(ex.getRequestHeaders().getFirst(Tokens.HEADER))));
            } catch (Refusal r) {
                reply(ex, r.status, ControlJson.write(r.reply));
            }
        });
    }

    void start() {
        http.start();
    }

    /** Routes {@code path} (a prefix) to {@code handler} on the same HTTP server: the {@link AdminApi}'s routes. */
    void route(String path, HttpHandler handler) {
        http.createContext(path, handler);
    }

    InetSocketAddress address() {
        return http.getAddress();
    }

    /** Whether the control port speaks TLS. */
    boolean tls() {
        return tls;
    }

    long controlBytes() {
        return controlBytes.get();
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void join(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "{\"error\":\"POST only\"}");
                return;
            }
            JoinRequest req = ControlJson.read(JoinRequest.class, readBody(ex, 64 * 1024));
            reply(ex, 200, ControlJson.write(handler.join(req, ex.getRemoteAddress().getAddress())));
        } catch (Refusal r) {
            reply(ex, r.status, ControlJson.write(r.reply));
        } catch (IOException | RuntimeException e) {
            reply(ex, 400, ControlJson.write(new ErrorReply(String.valueOf(e.getMessage()))));
        }
    }

    private void refuse(HttpExchange ex) throws IOException {
        try {
            RefuseRequest req = ControlJson.read(RefuseRequest.class, readBody(ex, 64 * 1024));
            handler.refuse(req, ex.getRemoteAddress().getAddress());
            reply(ex, 200, OK);
        } catch (IOException | RuntimeException e) {
            reply(ex, 400, ControlJson.write(new ErrorReply(String.valueOf(e.getMessage()))));
        }
    }

    /** {@code /api/v1/machines/ID/ACTION}. */
    private void machine(HttpExchange ex) throws IOException {
        String[] parts = ex.getRequestURI().getPath().split("/");
        boolean get = ex.getRequestMethod().equals("GET");
        if (parts.length != 6 || !(get || ex.getRequestMethod().equals("POST"))) {
            reply(ex, 404, NOT_FOUND);
            return;
        }
        Machine m;
        try {
            m = handler.contact(Integer.parseInt(parts[4]), ex.getRequestHeaders().getFirst(Tokens.HEADER));
        } catch (NumberFormatException e) {
            m = null;
        } catch (Refusal r) {
            reply(ex, r.status, ControlJson.write(r.reply));
            return;
        }
        if (m == null) {
            reply(ex, 404, "{\"error\":\"unknown machine; join again\",\"state\":\"unknown\"}");
            return;
        }
        try {
            if (get != (parts[5].equals("table") || parts[5].equals("manifest"))) {
                reply(ex, 405, "{\"error\":\"wrong method\"}");
                return;
            }
            switch (parts[5]) {
                case "table" -> binary(ex, handler.table(m, queryLong(ex, "from", 0)));
                case "manifest" -> binary(ex, handler.manifest(m));
                case "needs" -> needs(ex, m);
                case "feedback" -> reply(ex, 200, ControlJson.write(handler.feedback(m, readBody(ex, 16 << 20))));
                case "done" -> {
                    handler.done(m, ControlJson.read(DoneRequest.class, readBody(ex, 64 * 1024)));
                    reply(ex, 200, OK);
                }
                default -> reply(ex, 404, NOT_FOUND);
            }
        } catch (Refusal r) {
            reply(ex, r.status, ControlJson.write(r.reply));
        } catch (CorruptDataException e) {
            reply(ex, 400, ControlJson.write(new ErrorReply(e.getMessage())));
        }
    }

    /** A bitmap over chunks {@code [from, to)} of the machine's table (the whole table by default). */
    private void needs(HttpExchange ex, Machine m) throws IOException {
        int size = m.table.size();
        long from = queryLong(ex, "from", 0);
        long to = queryLong(ex, "to", size);
        if (from < 0 || to < from || to > size) throw new CorruptDataException("needs range " + from + "-" + to + " is outside the table");
        int n = (int) (to - from);
        byte[] bits = readBody(ex, n / 8 + 1);
        if (bits.length != (n + 7) / 8) throw new CorruptDataException("needs bitmap has the wrong length");
        reply(ex, 200, ControlJson.write(handler.needs(m, from, to, bits)));
    }

    private static long queryLong(HttpExchange ex, String key, long dflt) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return dflt;
        for (String kv : q.split("&")) {
            if (kv.startsWith(key + "=")) {
                try {
                    return Long.parseLong(kv.substring(key.length() + 1));
                } catch (NumberFormatException e) {
                    throw new CorruptDataException("query parameter " + key + " is not a number");
                }
            }
        }
        return dflt;
    }

    private static byte[] readBody(HttpExchange ex, int max) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new CorruptDataException("request body too large");
            return b;
        }
    }

    private void binary(HttpExchange ex, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, body.length);
        controlBytes.addAndGet(body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    private void reply(HttpExchange ex, int code, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        controlBytes.addAndGet(b.length);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }
}
