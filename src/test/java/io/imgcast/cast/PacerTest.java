package io.imgcast.cast;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token bucket of {@link Pacer}, on a simulated clock. At 8 Gbit/s a byte takes exactly one
 * nanosecond, so waits read as byte counts.
 */
class PacerTest {
    private static final long ONE_BYTE_PER_NS = 8_000_000_000L;

    @Test
    void aFullBucketLetsItsBurstGoAtOnceThenTheNextPacketWaitsItsOwnTime() {
        Pacer p = new Pacer(ONE_BYTE_PER_NS, 3000, 0);
        assertEquals(0, p.delay(1500, 0));
        assertEquals(0, p.delay(1500, 0));
        assertEquals(1500, p.delay(1500, 0), "the bucket is empty: 1500 bytes take 1500 ns");
        assertEquals(0, p.delay(1500, 1500));
    }

    @Test
    void aWaitIsNotChargedSoAskingAgainLaterAsksForTheRest() {
        Pacer p = new Pacer(ONE_BYTE_PER_NS, 1000, 0);
        assertEquals(0, p.delay(1000, 0));
        assertEquals(400, p.delay(400, 0));
        assertEquals(100, p.delay(400, 300), "300 ns earned 300 bytes");
        assertEquals(0, p.delay(400, 400));
        assertEquals(10, p.delay(10, 400), "and those 400 bytes were charged");
    }

    @Test
    void idleTimeFillsTheBucketNoFurtherThanItsSize() {
        Pacer p = new Pacer(ONE_BYTE_PER_NS, 3000, 0);
        assertEquals(0, p.delay(3000, 0));
        long later = 1_000_000_000L; // a second idle would be 1 GB of tokens without the cap
        assertEquals(0, p.delay(1500, later));
        assertEquals(0, p.delay(1500, later));
        assertEquals(1500, p.delay(1500, later));
    }

    @Test
    void aNewRateChangesTheWaitAndIsReportedBack() {
        Pacer p = new Pacer(ONE_BYTE_PER_NS, 1500, 0);
        assertEquals(0, p.delay(1500, 0));
        assertEquals(1500, p.delay(1500, 0));
        p.setRate(ONE_BYTE_PER_NS / 2);
        assertEquals(ONE_BYTE_PER_NS / 2, p.rateBitsPerSecond());
        assertEquals(3000, p.delay(1500, 0), "half the rate, twice the wait");
    }

    @Test
    void aRateOfZeroIsTakenAsOneBitPerSecondNotADivisionByZero() {
        Pacer p = new Pacer(0, 1500, 0);
        assertEquals(1, p.rateBitsPerSecond());
        assertEquals(0, p.delay(1500, 0));
        assertEquals(8_000_000_000L, p.delay(1, 0), "one byte at one bit per second");
    }

    @Test
    void holdsTheConfiguredRateOverTime() {
        long now = 0;
        Pacer p = new Pacer(100_000_000L, 16 * 1024, now); // 100 Mbit/s
        long sent = 0;
        long end = 1_000_000_000L;
        while (now < end) {
            long d = p.delay(1452, now);
            if (d == 0) sent += 1452;
            else now += d;
        }
        double mbit = sent * 8 / 1e6;
        assertTrue(mbit > 99 && mbit < 101.5, "sent " + mbit + " Mbit in one simulated second");
    }
}
