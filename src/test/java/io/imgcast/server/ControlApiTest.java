package io.imgcast.server;

import io.imgcast.api.ControlJson;
import io.imgcast.api.DoneRequest;
import io.imgcast.api.ErrorReply;
import io.imgcast.api.FeedbackReply;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.api.MachineState;
import io.imgcast.api.NeedsReply;
import io.imgcast.api.RefuseRequest;
import io.imgcast.api.Status;
import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.ChunkTable;
import io.imgcast.chunk.ChunkId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP side alone, on loopback, over a recording handler: routes, bodies, error answers. */
class ControlApiTest {
    private final List<String> calls = new ArrayList<>();
    private final ChunkTable table = ChunkTable.of(List.of(chunk(1), chunk(2), chunk(3), chunk(4), chunk(5), chunk(6), chunk(7), chunk(8), chunk(9)));
    private final Machine known = new Machine(7, "m7", "img", table, null, null, 0, 0);
    private ControlApi api;
    private HttpClient http;
    private URI base;

    private static ChunkMeta chunk(int i) {
        byte[] id = new byte[32];
        id[0] = (byte) i;
        return new ChunkMeta(ChunkId.of(id), (byte) 0, 10, 10 * i);
    }

    private final ControlApi.Handler handler = new ControlApi.Handler() {
        @Override
        public JoinReply join(JoinRequest request, InetAddress from) throws ControlApi.Refusal {
            calls.add("join " + request);
            if (request.image() == null) throw new ControlApi.Refusal(400, new ErrorReply("image is required"));
            if (request.image().equals("later")) throw new ControlApi.Refusal(503, new ErrorReply("still reading", true));
            return new JoinReply(1, 7, request.image(), "TREE", null, null, 9, 100, 0, "239.1.1.1:9000", 1448, "00112233445566778899aabbccddeeff", "c2lnbmVy", "t0k3n", null);
        }

        @Override
        public void refuse(RefuseRequest request, InetAddress from) {
            calls.add("refuse " + request);
        }

        @Override
        public Machine contact(int id, String token) throws ControlApi.Refusal {
            calls.add("contact " + id);
            if (id == 7 && !"t7".equals(token)) throw new ControlApi.Refusal(403, new ErrorReply("not machine 7's token"));
            return id == 7 ? known : null;
        }

        @Override
        public byte[] table(Machine m, long from) {
            calls.add("table " + from);
            return new byte[] {1, 2, 3};
        }

        @Override
        public byte[] manifest(Machine m) throws ControlApi.Refusal {
            throw new ControlApi.Refusal(503, new ErrorReply("the image is still being read", true));
        }

        @Override
        public NeedsReply needs(Machine m, long from, long to, byte[] bits) {
            calls.add("needs " + from + "-" + to + " " + Arrays.toString(bits));
            return new NeedsReply(2, 30);
        }

        @Override
        public FeedbackReply feedback(Machine m, byte[] body) {
            calls.add("feedback " + body.length);
            return new FeedbackReply(0, "239.1.1.1:9000", MachineState.RECEIVING, false);
        }

        @Override
        public void done(Machine m, DoneRequest request) {
            calls.add("done " + request);
        }

        @Override
        public Status status(String token) throws ControlApi.Refusal {
            if ("wrong".equals(token)) throw new ControlApi.Refusal(403, new ErrorReply("status needs the admin token"));
            return new Status(1, false, List.of(), 0, List.of(), "ab".repeat(32));
        }
    };

    @BeforeEach
    void start() throws IOException {
        api = new ControlApi(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler);
        api.start();
        base = URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + api.address().getPort() + "/");
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        api.close();
        http.close();
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).header("X-Imgcast-Token", "t7")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).header("X-Imgcast-Token", "t7").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void joinAnswersWithTheReplyOrTheRefusal() throws Exception {
        HttpResponse<String> r = post("api/v1/join", "{\"machine\":\"m7\",\"image\":\"img\",\"priority\":2}".getBytes());
        assertEquals(200, r.statusCode());
        assertEquals(7, ControlJson.read(JoinReply.class, r.body()).machineId());
        assertEquals("join JoinRequest[machine=m7, image=img, priority=2, mac=null]", calls.getFirst());
        r = post("api/v1/join", "{\"machine\":\"m7\"}".getBytes());
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"image is required\"}", r.body());
        r = post("api/v1/join", "{\"image\":\"later\"}".getBytes());
        assertEquals(503, r.statusCode());
        assertEquals("{\"error\":\"still reading\",\"retry\":true}", r.body());
        r = post("api/v1/join", "{\"image\":".getBytes());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("{\"error\":"), r.body());
        assertEquals(405, get("api/v1/join").statusCode());
    }

    @Test
    void anUnknownMachineIsToldToJoinAgain() throws Exception {
        for (String path : List.of("api/v1/machines/8/feedback", "api/v1/machines/x/feedback")) {
            HttpResponse<String> r = post(path, new byte[0]);
            assertEquals(404, r.statusCode());
            assertEquals("{\"error\":\"unknown machine; join again\",\"state\":\"unknown\"}", r.body());
        }
        assertEquals(404, post("api/v1/machines/7", new byte[0]).statusCode());
        assertEquals(404, post("api/v1/machines/7/dance", new byte[0]).statusCode());
    }

    @Test
    void machineRoutesReachTheHandler() throws Exception {
        HttpResponse<String> r = post("api/v1/machines/7/needs", new byte[] {5, 1});
        assertEquals(200, r.statusCode());
        assertEquals("{\"needed_chunks\":2,\"needed_bytes\":30}", r.body());
        assertEquals("needs 0-9 [5, 1]", calls.getLast());
        r = post("api/v1/machines/7/feedback", new byte[12]);
        assertEquals("{\"stream\":0,\"group\":\"239.1.1.1:9000\",\"state\":\"receiving\",\"sending\":false}", r.body());
        r = post("api/v1/machines/7/done", "{\"ok\":true,\"seconds\":2.5}".getBytes());
        assertEquals("{\"ok\":true}", r.body());
        assertEquals("done DoneRequest[ok=true, error=null, seconds=2.5]", calls.getLast());
        r = get("api/v1/machines/7/table?from=4");
        assertEquals(200, r.statusCode());
        assertArrayEquals(new byte[] {1, 2, 3}, r.body().getBytes());
        assertEquals("table 4", calls.getLast());
        r = get("api/v1/machines/7/manifest");
        assertEquals(503, r.statusCode());
        assertEquals("{\"error\":\"the image is still being read\",\"retry\":true}", r.body());
        assertEquals(405, get("api/v1/machines/7/needs").statusCode());
        assertEquals(405, post("api/v1/machines/7/table", new byte[0]).statusCode());
        r = post("api/v1/refuse", "{\"machine\":\"m9\",\"reason\":\"too small\"}".getBytes());
        assertEquals("{\"ok\":true}", r.body());
        assertEquals("refuse RefuseRequest[machine=m9, image=null, reason=too small]", calls.getLast());
    }

    @Test
    void badNeedsAreRefusedBeforeTheHandler() throws Exception {
        HttpResponse<String> r = post("api/v1/machines/7/needs?from=5&to=20", new byte[2]);
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"needs range 5-20 is outside the table\"}", r.body());
        r = post("api/v1/machines/7/needs", new byte[1]);
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"needs bitmap has the wrong length\"}", r.body());
        r = post("api/v1/machines/7/needs?from=x", new byte[2]);
        assertEquals("{\"error\":\"query parameter from is not a number\"}", r.body());
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("needs")), calls.toString());
    }

    @Test
    void statusAndPages() throws Exception {
        assertEquals("{\"session\":1,\"started\":false,\"streams\":[],\"control_bytes_sent\":0,\"machines\":[],\"fingerprint\":\"" + "ab".repeat(32) + "\"}", get("api/v1/status").body());
        // the pages are the console's, which the server registers (ConsoleServerTest); the API alone has none
        assertEquals(404, get("").statusCode());
        assertEquals(404, get("favicon.ico").statusCode());
        assertTrue(api.controlBytes() > 0);
    }

    @Test
    void slowClientsDoNotStallTheOthers() throws Exception {
        // more trickling connections than the old fixed pool had threads: headers begun, never ended
        List<java.net.Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), api.address().getPort());
                s.getOutputStream().write("POST /api/v1/join HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{".getBytes());
                s.getOutputStream().flush();
                slow.add(s);
            }
            assertEquals(200, get("api/v1/status").statusCode(), "a legitimate request is still answered");
        } finally {
            for (java.net.Socket s : slow) s.close();
        }
    }

    @Test
    void anOversizedBodyIsRefused() throws Exception {
        HttpResponse<String> r = post("api/v1/join", new byte[64 * 1024 + 1]);
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"request body too large\"}", r.body());
    }

    @Test
    void aMachineRequestWithoutItsTokenIsRefused() throws Exception {
        for (String token : new String[] {null, "t8"}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("api/v1/machines/7/done")).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ok\":true}"));
            if (token != null) b.header("X-Imgcast-Token", token);
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode());
            assertEquals("{\"error\":\"not machine 7's token\"}", r.body());
        }
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("done")), calls.toString());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("api/v1/status")).header("X-Imgcast-Token", "wrong").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode());
    }
}
