package io.imgcast.api;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzes the JSON of every control API message through {@link ControlJson}: the requests a
 * server reads from anyone (join, refuse, done) and the replies a receiver reads from whoever
 * answers (join, needs, feedback, status, error). Garbage is an {@link IOException} or an
 * {@link IllegalArgumentException} (answered 400 by the server, "unreadable answer" by a
 * receiver); whatever reads writes back to the same record. Seeds in
 * {@code ControlJsonFuzzTestInputs}.
 */
class ControlJsonFuzzTest {
    private static <T> void readOrRefuse(Class<T> type, byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        T v;
        try {
            v = ControlJson.read(type, text);
        } catch (IOException | IllegalArgumentException expected) {
            return;
        }
        if (v == null) return;
        try {
            assertEquals(v.toString(), ControlJson.read(type, ControlJson.write(v)).toString(), "a message reads back the same");
        } catch (IOException e) {
            throw new AssertionError("what was read does not read back: " + v, e);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void joinRequests(byte[] data) {
        readOrRefuse(JoinRequest.class, data);
    }

    @FuzzTest(maxDuration = "20s")
    void refuseRequests(byte[] data) {
        readOrRefuse(RefuseRequest.class, data);
    }

    @FuzzTest(maxDuration = "20s")
    void doneRequests(byte[] data) {
        readOrRefuse(DoneRequest.class, data);
    }

    @FuzzTest(maxDuration = "20s")
    void joinReplies(byte[] data) {
        readOrRefuse(JoinReply.class, data);
    }

    @FuzzTest(maxDuration = "20s")
    void needsReplies(byte[] data) {
        readOrRefuse(NeedsReply.class, data);
    }

    @FuzzTest(maxDuration = "20s")
    void feedbackReplies(byte[] data) {
        readOrRefuse(FeedbackReply.class, data);
    }

    @FuzzTest(maxDuration = "20s")
    void statusReplies(byte[] data) {
        readOrRefuse(Status.class, data);
    }

    @FuzzTest(maxDuration = "20s")
    void errorReplies(byte[] data) {
        readOrRefuse(ErrorReply.class, data);
    }
}
