package io.imgcast.server;

import io.imgcast.api.ControlJson;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.cast.BlockReport;
import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.Wire;
import io.imgcast.net.McastSocket;
import io.imgcast.trust.PinningTrustManager;
import io.imgcast.trust.Tokens;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hostile host of {@link HostileLabTest}: each mode is one probe of issue 17 against a real
 * server, printing one JSON line of what it achieved. Bounded in count and time; it talks only
 * to the lab server given as its URL.
 */
public final class Hostile {
    private Hostile() {}

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[1]);
        String out = switch (args[0]) {
            case "slow" -> slow(base, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "forge" -> forge(base, Integer.parseInt(args[2]));
            case "names" -> names(base, args[2], Integer.parseInt(args[3]));
            case "flood" -> flood(base, args[2], Integer.parseInt(args[3]));
            case "greedy" -> greedy(base, args[2], args[3], Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException(args[0]);
        };
        System.out.println(out);
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).sslContext(new PinningTrustManager(null).context()).build();
    }

    /** A POST; a server too busy to answer in 30 s counts as not accepting it (status 0). */
    private static HttpResponse<String> post(HttpClient c, URI u, byte[] body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header(Tokens.HEADER, token);
        return send(c, b.build());
    }

    private static HttpResponse<String> send(HttpClient c, HttpRequest r) throws Exception {
        try {
            return c.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            System.err.println("no answer in time: " + r.uri());
            return new HttpResponse<>() {
                public int statusCode() { return 0; }
                public HttpRequest request() { return r; }
                public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
                public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
                public String body() { return ""; }
                public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
                public URI uri() { return r.uri(); }
                public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
            };
        }
    }

    /** {@code n} connections that send a few bytes of a request and then nothing: how many the server closed within {@code seconds}. */
    private static String slow(URI base, int n, int seconds) throws Exception {
        List<Socket> socks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 3000);
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a TLS record, never finished
            s.getOutputStream().flush();
            socks.add(s);
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int closed = 0;
        for (Socket s : socks) {
            try (s) {
                long left = Math.max(1, (end - System.nanoTime()) / 1_000_000L);
                s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // an alert, then the end
                }
                closed++;
            } catch (java.net.SocketTimeoutException e) {
                // still open
            } catch (java.io.IOException e) {
                closed++; // reset
            }
        }
        return "{\"opened\":" + n + ",\"closed\":" + closed + "}";
    }

    /** Acts for machines 1..n without their tokens: done, feedback, manifest, needs. How many were accepted. */
    private static String forge(URI base, int n) throws Exception {
        HttpClient c = client();
        int accepted = 0;
        int refused = 0;
        for (int id = 1; id <= n; id++) {
            URI m = base.resolve("api/v1/machines/" + id + "/");
            List<HttpResponse<String>> rs = new ArrayList<>();
            rs.add(post(c, m.resolve("done"), "{\"ok\":false,\"error\":\"forged\"}".getBytes(), null));
            rs.add(post(c, m.resolve("feedback"), new FeedbackFormat(new int[0], List.of(), 0, 0, 0, 999_999, 0).encode(), "forged-token"));
            rs.add(send(c, HttpRequest.newBuilder(m.resolve("manifest")).timeout(Duration.ofSeconds(30)).build()));
            for (HttpResponse<String> r : rs) {
                if (r.statusCode() == 200) accepted++;
                if (r.statusCode() == 403) refused++;
            }
        }
        return "{\"accepted\":" + accepted + ",\"refused\":" + refused + "}";
    }

    /** {@code n} joins with 60 KB names and the lowest priority; the status answer's size after. */
    private static String names(URI base, String image, int n) throws Exception {
        HttpClient c = client();
        int joined = 0;
        for (int i = 0; i < n; i++) {
            String name = (i + "-").repeat(60_000).substring(0, 60_000);
            HttpResponse<String> r = post(c, base.resolve("api/v1/join"), ControlJson.bytes(new JoinRequest(name, image, Integer.MIN_VALUE)), null);
            if (r.statusCode() == 200) joined++;
        }
        HttpResponse<String> st = send(c, HttpRequest.newBuilder(base.resolve("api/v1/status")).timeout(Duration.ofSeconds(30)).build());
        return "{\"joined\":" + joined + ",\"status_code\":" + st.statusCode() + ",\"status_bytes\":" + st.body().length() + "}";
    }

    /** {@code n} joins under fresh names: how many the server took. */
    private static String flood(URI base, String image, int n) throws Exception {
        HttpClient c = client();
        int joined = 0;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = post(c, base.resolve("api/v1/join"), ControlJson.bytes(new JoinRequest("flood-" + i, image, 0)), null);
            if (r.statusCode() == 200) joined++;
        }
        return "{\"joined\":" + joined + "}";
    }

    /**
     * Joins as a machine, says it needs everything, and for {@code seconds} reports every block
     * it hears of as wholly missing, ten times a second: the repair amplification probe.
     */
    private static String greedy(URI base, String image, String iface, int seconds) throws Exception {
        HttpClient c = client();
        HttpResponse<String> jr = post(c, base.resolve("api/v1/join"), ControlJson.bytes(new JoinRequest("greedy", image, 0)), null);
        if (jr.statusCode() != 200) return "{\"joined\":false,\"status\":" + jr.statusCode() + "}";
        JoinReply j = ControlJson.read(JoinReply.class, jr.body());
        URI m = base.resolve("api/v1/machines/" + j.machineId() + "/");
        byte[] all = new byte[(j.chunks() + 7) / 8];
        java.util.Arrays.fill(all, (byte) 0xff);
        if (j.chunks() % 8 != 0) all[all.length - 1] = (byte) ((1 << (j.chunks() % 8)) - 1);
        post(c, m.resolve("needs"), all, j.token());
        String[] g = j.group().split(":");
        Map<Long, Integer> bursts = new HashMap<>();
        long reports = 0;
        try (DatagramChannel ch = McastSocket.receiver(McastSocket.iface(iface), new InetSocketAddress(g[0], Integer.parseInt(g[1])))) {
            ch.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocate(Wire.MAX_PACKET + 64);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long next = System.nanoTime();
            while (System.nanoTime() < end) {
                b.clear();
                if (ch.receive(b) != null) {
                    if (b.position() >= Wire.HEADER && Wire.type(b) == Wire.TYPE_SYMBOL) bursts.put(Wire.block(b), Wire.burst(b));
                    continue;
                }
                if (System.nanoTime() >= next) {
                    List<BlockReport> rs = new ArrayList<>();
                    for (Map.Entry<Long, Integer> e : bursts.entrySet()) rs.add(new BlockReport(e.getKey(), e.getValue(), Wire.MAX_ESI));
                    post(c, m.resolve("feedback"), new FeedbackFormat(new int[0], rs, 1, 0, 0, 0, 0).encode(), j.token());
                    reports += rs.size();
                    next = System.nanoTime() + 100_000_000L;
                } else {
                    Thread.sleep(1);
                }
            }
        }
        return "{\"joined\":true,\"blocks_seen\":" + bursts.size() + ",\"reports\":" + reports + "}";
    }
}
