package io.imgcast.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginsTest {
    static final long S = 1_000_000_000L;

    @Test
    void aLoginLastsWhileUsedAndEndsWhenIdleTooLongOrClosed() {
        Logins l = new Logins();
        Logins.Login a = l.open(0);
        assertNotEquals(a.id, a.csrf);
        assertSame(a, l.check(a.id, Logins.IDLE_NS - S));
        assertSame(a, l.check(a.id, 2 * Logins.IDLE_NS - 2 * S), "used again: its idle time restarted");
        assertNull(l.check(a.id, 3 * Logins.IDLE_NS), "idle too long");
        assertNull(l.check(a.id, 3 * Logins.IDLE_NS), "and gone");
        Logins.Login b = l.open(0);
        assertNull(l.check("not-" + b.id, 1));
        assertNull(l.check(null, 1));
        l.close(b.id);
        assertNull(l.check(b.id, 2));
    }

    @Test
    void aLoginEndsAtItsMaximumAgeEvenWhenUsed() {
        Logins l = new Logins();
        Logins.Login a = l.open(0);
        for (long t = S; t < Logins.MAX_NS; t += Logins.IDLE_NS / 2) assertSame(a, l.check(a.id, t));
        assertNull(l.check(a.id, Logins.MAX_NS + S));
    }

    @Test
    void theOldestLoginGoesWhenTooManyAreOpen() {
        Logins l = new Logins();
        Logins.Login first = l.open(0);
        for (int i = 1; i < Logins.MAX_LOGINS; i++) l.open(i);
        assertSame(first, l.check(first.id, 100));
        l.open(101);
        assertNull(l.check(first.id, 102));
    }

    @Test
    void wrongPasswordsFromOneAddressAreThrottledForAMinute() {
        Logins l = new Logins();
        for (int i = 0; i < Logins.MAX_FAILURES; i++) {
            assertTrue(l.mayTry("10.0.0.9", i * S));
            l.failed("10.0.0.9", i * S);
        }
        assertFalse(l.mayTry("10.0.0.9", Logins.MAX_FAILURES * S));
        assertTrue(l.mayTry("10.0.0.8", Logins.MAX_FAILURES * S), "another address is not held");
        assertTrue(l.mayTry("10.0.0.9", (Logins.MAX_FAILURES + 61) * S), "the window passed");
        assertEquals(64, Logins.MAX_LOGINS);
    }
}
