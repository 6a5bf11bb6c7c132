package io.imgcast.codec.fec;

import java.util.Arrays;
import java.util.Objects;

/**
 * Arithmetic in the finite field GF(2^8), built on the primitive polynomial
 * x^8 + x^4 + x^3 + x^2 + 1 (0x11D) with generator 2.
 *
 * <p>Field elements are carried in Java {@code byte}s and interpreted as unsigned
 * values 0..255. Addition and subtraction are both XOR. Multiplication and division
 * of single elements go through log/exp tables; the bulk operations
 * {@link #mulRow} and {@link #mulAddRow}, which dominate encoding and decoding,
 * run in Intel's ISA-L when the library is installed ({@link Isal}: vector shuffles, several
 * times faster), else use a precomputed full 256&times;256 product table (64 KiB), one 256-byte
 * row per coefficient, so each data byte costs a single table lookup.
 *
 * <p>All tables are built once in the static initialiser and are immutable afterwards;
 * every method is thread-safe and allocation-free.
 */
public final class GF256 {

    /** The field's reduction polynomial, including the x^8 term. */
    public static final int POLYNOMIAL = 0x11D;

    /** exp[i] = 2^i for i in 0..509; doubled in length so exp[log a + log b] needs no modulo. */
    private static final byte[] EXP = new byte[510];

    /** log[a] for a in 1..255; log[0] is unused. */
    private static final int[] LOG = new int[256];

    /** MUL[c][x] = c * x. Row c is the 256-byte lookup row used for multiplying by c. */
    private static final byte[][] MUL = new byte[256][256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = (byte) x;
            EXP[i + 255] = (byte) x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 0x100) != 0) {
                x ^= POLYNOMIAL;
            }
        }
        if (x != 1) {
            throw new AssertionError("0x11D with generator 2 must have order 255");
        }
        for (int c = 1; c < 256; c++) {
            byte[] row = MUL[c];
            int logC = LOG[c];
            for (int v = 1; v < 256; v++) {
                row[v] = EXP[logC + LOG[v]];
            }
        }
    }

    private GF256() {
    }

    /** Sum (and difference) of two field elements: XOR. */
    public static byte add(byte a, byte b) {
        return (byte) (a ^ b);
    }

    /** Product of two field elements. */
    public static byte mul(byte a, byte b) {
        return MUL[a & 0xFF][b & 0xFF];
    }

    /**
     * Quotient a / b.
     *
     * @throws ArithmeticException if b is zero
     */
    public static byte div(byte a, byte b) {
        if (b == 0) {
            throw new ArithmeticException("division by zero in GF(256)");
        }
        if (a == 0) {
            return 0;
        }
        return EXP[LOG[a & 0xFF] + 255 - LOG[b & 0xFF]];
    }

    /**
     * Multiplicative inverse of a.
     *
     * @throws ArithmeticException if a is zero
     */
    public static byte inv(byte a) {
        if (a == 0) {
            throw new ArithmeticException("zero has no inverse in GF(256)");
        }
        return EXP[255 - LOG[a & 0xFF]];
    }

    /** 2 raised to the power e (any int e; reduced modulo 255). */
    public static byte exp(int e) {
        return EXP[Math.floorMod(e, 255)];
    }

    /**
     * Discrete logarithm base 2 of a, in 0..254.
     *
     * @throws ArithmeticException if a is zero
     */
    public static int log(byte a) {
        if (a == 0) {
            throw new ArithmeticException("log of zero in GF(256)");
        }
        return LOG[a & 0xFF];
    }

    /**
     * {@code dst[dstOff + i] = coef * src[srcOff + i]} for i in 0..len-1.
     * src and dst may be the same array at the same offset (in-place scaling).
     */
    public static void mulRow(byte coef, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        checkRange(src, srcOff, dst, dstOff, len);
        int c = coef & 0xFF;
        if (c == 0) {
            Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        } else if (c == 1) {
            System.arraycopy(src, srcOff, dst, dstOff, len);
        } else if (NATIVE && len >= Isal.MIN_LENGTH && (src != dst || srcOff + len <= dstOff || dstOff + len <= srcOff)) {
            Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
            Isal.mulAdd(c, src, srcOff, dst, dstOff, len);
        } else {
            byte[] row = MUL[c];
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] = row[src[srcOff + i] & 0xFF];
            }
        }
    }

    /**
     * {@code dst[dstOff + i] ^= coef * src[srcOff + i]} for i in 0..len-1: the
     * multiply-accumulate at the heart of encoding and decoding.
     * src and dst must not overlap (unless coef is zero).
     */
    public static void mulAddRow(byte coef, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        checkRange(src, srcOff, dst, dstOff, len);
        int c = coef & 0xFF;
        if (c == 0) {
            return;
        }
        if (c == 1) {
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] ^= src[srcOff + i];
            }
            return;
        }
        if (NATIVE && len >= Isal.MIN_LENGTH) {
            Isal.mulAdd(c, src, srcOff, dst, dstOff, len);
            return;
        }
        byte[] row = MUL[c];
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] ^= row[src[srcOff + i] & 0xFF];
        }
    }

    /** Whether the row kernels run in ISA-L ({@link Isal}); else in the table loops here. */
    private static final boolean NATIVE = Isal.available();

    /** Where the row kernels run: "ISA-L" or "Java" with the reason, for diagnostics. */
    public static String kernel() {
        return NATIVE ? "ISA-L (libisal.so.2)" : "Java tables (" + Isal.UNAVAILABLE + ")";
    }

    private static void checkRange(byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
    }
}
