package io.imgcast.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The inventory and session messages on the wire: snake_case, nulls left out, nested lists read back. */
class AdminJsonTest {
    @Test
    void messagesRoundTrip() throws IOException {
        Session s = new Session(3, List.of("g1", "g2"), "running", "2026-12-07T18:00:00Z", null,
                List.of(new Session.Result("52:54:00:00:00:01", "pc1", "a", "done", 4.5, 1000L, null)));
        String json = ControlJson.write(s);
        assertEquals("{\"id\":3,\"groups\":[\"g1\",\"g2\"],\"state\":\"running\",\"started\":\"2026-12-07T18:00:00Z\",\"machines\":[{\"mac\":"
                + "\"52:54:00:00:00:01\",\"name\":\"pc1\",\"image\":\"a\",\"state\":\"done\",\"seconds\":4.5,\"bytes\":1000}]}", json);
        assertEquals(s, ControlJson.read(Session.class, json));
        HostGroup g = new HostGroup("lab", null, 2, 30, List.of("pc1"));
        assertEquals("{\"name\":\"lab\",\"expect\":2,\"wait_seconds\":30,\"members\":[\"pc1\"]}", ControlJson.write(g));
        assertEquals(g, ControlJson.read(HostGroup.class, ControlJson.write(g)));
        HostList l = new HostList(List.of(new Host("52:54:00:00:00:01", "pc1", "a", null, "largest", "reboot")), "local-disk");
        assertEquals(l, ControlJson.read(HostList.class, ControlJson.write(l)));
        Assignment a = new Assignment(Assignment.IMAGE, "52:54:00:00:00:01", "pc1", "a", "largest", null, "lab", "host 'pc1'");
        assertEquals(a, ControlJson.read(Assignment.class, ControlJson.write(a)));
        FeedbackReply f = new FeedbackReply(0, "239.1.1.1:9000", MachineState.FAILED, false, "session 2 was cancelled by the operator");
        assertEquals(f, ControlJson.read(FeedbackReply.class, ControlJson.write(f)));
        assertEquals(new FeedbackReply(0, "g", MachineState.RECEIVING, true), ControlJson.read(FeedbackReply.class,
                "{\"stream\":0,\"group\":\"g\",\"state\":\"receiving\",\"sending\":true}"), "an older server's reply has no reason");
    }
}
