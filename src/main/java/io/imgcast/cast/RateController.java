package io.imgcast.cast;

/**
 * Adapts a stream's rate from receiver feedback, below the configured cap. Pure. Receive-buffer
 * overflows at a receiver (kernel drops: it cannot keep up) cut the rate multiplicatively; calm
 * intervals raise it again. Random network loss is not congestion here and is healed by FEC, so
 * it does not lower the rate.
 */
public final class RateController {
    private long cap;
    private long floor;
    private long rate;
    private long lastChangeNs;

    public RateController(long capBitsPerSecond, long nowNs) {
        this.cap = capBitsPerSecond;
        this.floor = Math.max(1_000_000L, capBitsPerSecond / 8);
        this.rate = capBitsPerSecond;
        this.lastChangeNs = nowNs;
    }

    public long rate() { return rate; }

    /** The operator's new cap (bits per second): the rate goes there at once, and adapts below it as before. */
    public void cap(long capBitsPerSecond) {
        this.cap = capBitsPerSecond;
        this.floor = Math.max(1_000_000L, capBitsPerSecond / 8);
        this.rate = capBitsPerSecond;
    }
    /** The configured rate, which it never exceeds. */
    public long cap() { return cap; }

    /** A receiver reports {@code newKernelDrops} receive-buffer overflows since its last report. */
    public void onFeedback(long newKernelDrops, long nowNs) {
        if (newKernelDrops > 0 && nowNs - lastChangeNs > 100_000_000L) {
            rate = Math.max(floor, (long) (rate * 0.85));
            lastChangeNs = nowNs;
        }
    }

    /** Called regularly; raises the rate by 8% (and 1 bit/s) per calm 100 ms, up to the cap. */
    public void tick(long nowNs) {
        if (rate < cap && nowNs - lastChangeNs > 100_000_000L) {
            rate = Math.min(cap, (long) (rate * 1.08) + 1);
            lastChangeNs = nowNs;
        }
    }
}
