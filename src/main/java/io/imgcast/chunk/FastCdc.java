package io.imgcast.chunk;

/**
 * Content-defined chunker in the FastCDC style: a gear rolling hash with normalized chunking
 * (a stricter mask before the average size, a looser one after), bounded by min and max sizes.
 *
 * <p>The gear table is derived from a fixed seed and is part of the store format: changing it
 * changes every chunk boundary and so every chunk id. Stateless and thread-safe.
 */
public final class FastCdc {
    public static final int DEFAULT_MIN = 16 * 1024;
    public static final int DEFAULT_AVG = 64 * 1024;
    public static final int DEFAULT_MAX = 256 * 1024;

    private static final long[] GEAR = gear(0x696d6763617374L); // "imgcast"

    private final int min;
    private final int avg;
    private final int max;
    private final long maskStrict;
    private final long maskLoose;

    public FastCdc() {
        this(DEFAULT_MIN, DEFAULT_AVG, DEFAULT_MAX);
    }

    public FastCdc(int min, int avg, int max) {
        if (Integer.bitCount(avg) != 1 || min <= 0 || min >= avg || avg >= max) {
            throw new IllegalArgumentException("need 0 < min < avg < max and avg a power of two");
        }
        this.min = min;
        this.avg = avg;
        this.max = max;
        int bits = Integer.numberOfTrailingZeros(avg);
        this.maskStrict = topBits(bits + 2);
        this.maskLoose = topBits(bits - 2);
    }

    public int min() { return min; }
    public int avg() { return avg; }
    public int max() { return max; }

    /**
     * Returns the length of the chunk that starts at {@code off}, given {@code len} readable bytes.
     * The caller must offer at least {@link #max()} bytes unless it is at the end of its input;
     * with fewer bytes at the end, the returned cut is at most {@code len}.
     */
    public int cut(byte[] b, int off, int len) {
        if (len <= min) return len;
        final int n = Math.min(len, max);
        final int normal = Math.min(n, avg);
        long h = 0;
        int i = off + min;
        final int end1 = off + normal;
        final int end2 = off + n;
        final long[] g = GEAR;
        final long ms = maskStrict;
        for (; i < end1; i++) {
            h = (h << 1) + g[b[i] & 0xff];
            if ((h & ms) == 0) return i - off + 1;
        }
        final long ml = maskLoose;
        for (; i < end2; i++) {
            h = (h << 1) + g[b[i] & 0xff];
            if ((h & ml) == 0) return i - off + 1;
        }
        return n;
    }

    private static long topBits(int n) {
        return -1L << (64 - n);
    }

    private static long[] gear(long seed) {
        long[] t = new long[256];
        long x = seed;
        for (int i = 0; i < 256; i++) { // SplitMix64
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            t[i] = z ^ (z >>> 31);
        }
        return t;
    }
}
