package io.imgcast.server;

import io.imgcast.api.HostGroup;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions and their groups' readiness on a simulated clock. */
class SessionsTest {
    private static final long S = 1_000_000_000L;

    private static HostGroup group(String name, Integer expect, Integer wait) {
        return new HostGroup(name, "img", expect, wait, null);
    }

    @Test
    void aGroupWithoutAsessionWaitsAndTwoGroupsStartedTogetherShareOne() {
        Sessions s = new Sessions();
        assertTrue(s.mayFlow(), "no session: nothing held");
        assertNotNull(s.admit("a").refusal());
        Sessions.Current c = s.start(List.of(group("a", 2, null), group("b", 1, null)), 7, 0);
        assertEquals(7, c.id);
        assertEquals(Sessions.State.WAITING, c.state);
        assertFalse(s.mayFlow());
        assertEquals(7, s.admit("b").session());
        s.onJoin(7, "a", 1);
        s.onJoin(7, "b", 2);
        assertFalse(s.check(S, id -> true));
        assertEquals(Sessions.State.WAITING, c.state, "group a expects two");
        s.onJoin(7, "a", 3);
        assertFalse(s.check(2 * S, id -> id != 3), "a machine counts once it reported its needs");
        assertTrue(s.check(2 * S, id -> true));
        assertEquals(Sessions.State.RUNNING, c.state, "every group ready");
        assertTrue(s.mayFlow());
        assertEquals(7, s.start(List.of(group("c", 5, null)), 8, 3 * S).id, "a group started while one runs joins it");
        assertEquals(Sessions.State.RUNNING, c.state, "a running session keeps running");
        assertEquals(7, s.admit("c").session(), "a late machine joins the running session");
    }

    @Test
    void theWaitRunsFromTheStart() {
        Sessions s = new Sessions();
        Sessions.Current c = s.start(List.of(group("a", 10, 30)), 1, 100 * S);
        s.onJoin(1, "a", 1);
        assertFalse(s.check(130 * S, id -> true), "exactly the wait is not beyond it");
        assertTrue(s.check(130 * S + 1, id -> true));
        assertEquals(Sessions.State.RUNNING, c.state);
    }

    @Test
    void stopAdmitsNoOneNewAndCancelFailsItsMachines() {
        Sessions s = new Sessions();
        s.start(List.of(group("a", null, null)), 1, 0);
        s.onJoin(1, "a", 11);
        s.onJoin(1, "a", 12);
        assertTrue(s.stop(1));
        assertTrue(s.admit("a").refusal().contains("admits no one new"), s.admit("a").refusal());
        assertEquals(Set.of(11, 12), s.cancel(1));
        assertNull(s.cancel(1), "once");
        assertFalse(s.stop(1));
        assertEquals(2, s.start(List.of(group("a", null, null)), 2, 2 * S).id, "after a cancel, a start makes a new session");
        assertEquals(2, s.admit("a").session());
    }
}
