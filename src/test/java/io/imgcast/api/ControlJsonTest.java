package io.imgcast.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control messages on the wire: snake_case names in declaration order, nulls left out, read back. */
class ControlJsonTest {
    @Test
    void joinReplyOfAStoredImageIsWrittenAsBefore() throws IOException {
        JoinReply r = new JoinReply(42, 7, "edition-1", "TREE", null, null, 1200, 5000, 0, "239.1.2.3:9000", 1448, "00112233445566778899aabbccddeeff", "c2lnbmVy", "t0k3n", null);
        String json = ControlJson.write(r);
        assertEquals("{\"session\":42,\"machine_id\":7,\"image\":\"edition-1\",\"kind\":\"TREE\",\"chunks\":1200,"
                + "\"manifest_bytes\":5000,\"stream\":0,\"group\":\"239.1.2.3:9000\",\"symbol_size\":1448,"
                + "\"wire_key\":\"00112233445566778899aabbccddeeff\",\"signer\":\"c2lnbmVy\",\"token\":\"t0k3n\"}", json);
        assertEquals(r, ControlJson.read(JoinReply.class, json));
    }

    @Test
    void joinReplyOfALiveImage() throws IOException {
        JoinReply r = new JoinReply(1, 2, "disk", "VOLUME", true, 1L << 33, null, null, 0, "239.1.2.3:9000", 1448, "00112233445566778899aabbccddeeff", "c2lnbmVy", "t0k3n", null);
        String json = ControlJson.write(r);
        assertEquals("{\"session\":1,\"machine_id\":2,\"image\":\"disk\",\"kind\":\"VOLUME\",\"live\":true,\"volume_size\":8589934592,"
                + "\"stream\":0,\"group\":\"239.1.2.3:9000\",\"symbol_size\":1448,"
                + "\"wire_key\":\"00112233445566778899aabbccddeeff\",\"signer\":\"c2lnbmVy\",\"token\":\"t0k3n\"}", json);
        JoinReply back = ControlJson.read(JoinReply.class, json);
        assertEquals(r, back);
        assertTrue(back.liveImage());
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingOnesAreNull() throws IOException {
        JoinRequest q = ControlJson.read(JoinRequest.class, "{\"image\":\"x\",\"flavour\":\"new\"}");
        assertEquals(new JoinRequest(null, "x", null), q);
        // an older server that did not say its symbol size: the receiver sees null and refuses clearly
        JoinReply r = ControlJson.read(JoinReply.class, "{\"session\":1,\"machine_id\":2,\"image\":\"i\",\"kind\":\"TREE\",\"stream\":0,\"group\":\"g\"}");
        assertEquals(null, r.symbolSize());
        // whole numbers where the record holds a double or a long
        assertEquals(new DoneRequest(true, null, 2.0), ControlJson.read(DoneRequest.class, "{\"ok\":true,\"seconds\":2}"));
        assertEquals(5L, ControlJson.read(JoinReply.class, "{\"session\":1,\"machine_id\":2,\"volume_size\":5,\"stream\":0}").volumeSize());
    }

    @Test
    void badInputIsAnIOException() {
        assertThrows(IOException.class, () -> ControlJson.read(JoinRequest.class, "{\"image\":"));
        assertThrows(IOException.class, () -> ControlJson.read(JoinRequest.class, "{\"priority\":\"high\"}"));
        assertThrows(IOException.class, () -> ControlJson.read(DoneRequest.class, ""));
        assertThrows(IOException.class, () -> ControlJson.read(FeedbackReply.class, "{\"stream\":0,\"state\":\"sleeping\"}"));
    }

    @Test
    void statesAreLowerCaseOnTheWire() throws IOException {
        FeedbackReply f = new FeedbackReply(1, "239.1.2.3:9001", MachineState.RECEIVING, true);
        String json = ControlJson.write(f);
        assertEquals("{\"stream\":1,\"group\":\"239.1.2.3:9001\",\"state\":\"receiving\",\"sending\":true}", json);
        assertEquals(f, ControlJson.read(FeedbackReply.class, json));
        for (MachineState s : MachineState.values()) assertEquals(s.name().toLowerCase(), s.toString());
    }

    @Test
    void aMachineTheServerFailedIsToldWhy() throws IOException {
        FeedbackReply f = new FeedbackReply(0, "239.1.2.3:9000", MachineState.FAILED, true, "chunk 0a1b of image b is damaged");
        String json = ControlJson.write(f);
        assertEquals("{\"stream\":0,\"group\":\"239.1.2.3:9000\",\"state\":\"failed\",\"sending\":true,"
                + "\"error\":\"chunk 0a1b of image b is damaged\"}", json);
        assertEquals(f, ControlJson.read(FeedbackReply.class, json));
        // a reply from a server that predates the field reads as before
        assertEquals(new FeedbackReply(0, "g", MachineState.RECEIVING, false),
                ControlJson.read(FeedbackReply.class, "{\"stream\":0,\"group\":\"g\",\"state\":\"receiving\",\"sending\":false}"));
    }

    @Test
    void doneAndRefuseRequests() throws IOException {
        assertEquals("{\"ok\":false,\"error\":\"disk full\",\"seconds\":1.5}", ControlJson.write(new DoneRequest(false, "disk full", 1.5)));
        assertEquals("{\"ok\":true,\"seconds\":2.0}", ControlJson.write(new DoneRequest(true, null, 2.0)));
        assertEquals(new RefuseRequest("m", "img", "too small"),
                ControlJson.read(RefuseRequest.class, "{\"machine\":\"m\",\"image\":\"img\",\"reason\":\"too small\"}"));
        assertEquals("{\"needed_chunks\":3,\"needed_bytes\":4096}", ControlJson.write(new NeedsReply(3, 4096)));
        assertEquals("{\"error\":\"busy\",\"retry\":true}", ControlJson.write(new ErrorReply("busy", true)));
        assertEquals("{\"error\":\"image is required\"}", ControlJson.write(new ErrorReply("image is required")));
    }

    @Test
    void statusRoundTripsWithItsRows() throws IOException {
        Status st = new Status(9, true,
                List.of(new Status.Stream(0, "239.1.2.3:9000", 100_000_000, 10, 14_520, 2, 1, 1, 0, 0)), 777,
                List.of(new Status.Machine(1, "m1", "img", 0, 0, MachineState.DONE, 100, 100, 0, 0.01, 10, 0, 0, 1.25, null),
                        new Status.Machine(2, "m2", "img", 5, 1, MachineState.LOST, 100, 50, 3, 0, 0, 0, 2, 0, "silent")));
        String json = ControlJson.write(st);
        assertEquals("{\"session\":9,\"started\":true,\"streams\":[{\"stream\":0,\"group\":\"239.1.2.3:9000\",\"rate_bps\":100000000,"
                + "\"packets\":10,\"bytes\":14520,\"repair_packets\":2,\"directory_packets\":1,\"machines\":1,\"pending_chunks\":0,"
                + "\"active_blocks\":0}],\"control_bytes_sent\":777,\"machines\":[{\"id\":1,\"machine\":\"m1\",\"image\":\"img\","
                + "\"priority\":0,\"stream\":0,\"state\":\"done\",\"need_bytes\":100,\"done_bytes\":100,\"remaining_chunks\":0,"
                + "\"loss\":0.01,\"packets\":10,\"rejected\":0,\"kernel_drops\":0,\"seconds\":1.25},{\"id\":2,\"machine\":\"m2\","
                + "\"image\":\"img\",\"priority\":5,\"stream\":1,\"state\":\"lost\",\"need_bytes\":100,\"done_bytes\":50,"
                + "\"remaining_chunks\":3,\"loss\":0.0,\"packets\":0,\"rejected\":0,\"kernel_drops\":2,\"seconds\":0.0,\"error\":\"silent\"}]}",
                json);
        assertEquals(st, ControlJson.read(Status.class, json));
        assertEquals(14_520, st.streamBytes());
        assertEquals(100, st.machines().get(0).percent());
        assertEquals(50, st.machines().get(1).percent());
    }
}
