package io.imgcast.cast;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The receiver's side of the control API: small blocking HTTP calls with a timeout. */
final class ControlClient {
    /** The server answered with an error status. */
    static final class Refused extends IOException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final URI base;

    ControlClient(URI base) {
        this.base = base;
    }

    Map<String, Object> postJson(String path, Map<String, Object> body) throws IOException {
        return post(path, JSON.std.asBytes(body), "application/json");
    }

    Map<String, Object> post(String path, byte[] body, String type) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        Map<String, Object> m;
        try {
            m = r.body().isEmpty() ? Map.of() : JSON.std.mapFrom(r.body());
        } catch (IOException e) {
            throw new IOException("server sent an unreadable answer (" + r.statusCode() + ")");
        }
        if (r.statusCode() / 100 != 2) throw new Refused(r.statusCode(), String.valueOf(m.getOrDefault("error", "HTTP " + r.statusCode())));
        return m;
    }
}
