package io.imgcast.cast;

/**
 * Token-bucket pacing of the data stream. Pure: callers pass the time and sleep themselves.
 * The bucket holds {@code burstBytes}, so short waits below timer resolution are avoided.
 */
public final class Pacer {
    private double bytesPerNs;
    private final double burstBytes;
    private double tokens;
    private long lastNs;

    public Pacer(long bitsPerSecond, int burstBytes, long nowNs) {
        this.burstBytes = burstBytes;
        this.tokens = burstBytes;
        this.lastNs = nowNs;
        setRate(bitsPerSecond);
    }

    public void setRate(long bitsPerSecond) {
        this.bytesPerNs = Math.max(1, bitsPerSecond) / 8e9;
    }

    public long rateBitsPerSecond() {
        return (long) (bytesPerNs * 8e9);
    }

    /** Nanoseconds to wait before {@code bytes} may go; 0 means send now (and they are charged). */
    public long delay(int bytes, long nowNs) {
        tokens = Math.min(burstBytes, tokens + (nowNs - lastNs) * bytesPerNs);
        lastNs = nowNs;
        if (tokens >= bytes) {
            tokens -= bytes;
            return 0;
        }
        return (long) Math.ceil((bytes - tokens) / bytesPerNs);
    }
}
