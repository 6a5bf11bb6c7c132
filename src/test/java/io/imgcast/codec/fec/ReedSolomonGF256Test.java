package io.imgcast.codec.fec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exhaustive checks of the GF(2^8) field used by the Reed-Solomon code. */
class ReedSolomonGF256Test {

    /** Reference product: shift-and-add (carry-less) multiply reduced by 0x11D. */
    private static int slowMul(int a, int b) {
        int p = 0;
        while (b != 0) {
            if ((b & 1) != 0) {
                p ^= a;
            }
            a <<= 1;
            if ((a & 0x100) != 0) {
                a ^= 0x11D;
            }
            b >>= 1;
        }
        return p;
    }

    private static int mul(int a, int b) {
        return GF256.mul((byte) a, (byte) b) & 0xFF;
    }

    @Test
    void mulMatchesReferenceForAllPairs() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertEquals(slowMul(a, b), mul(a, b), () -> "mul mismatch");
            }
        }
    }

    @Test
    void identitiesZeroAndCommutativity() {
        for (int a = 0; a < 256; a++) {
            assertEquals(a, mul(a, 1));
            assertEquals(0, mul(a, 0));
            assertEquals(a, GF256.add((byte) a, (byte) 0) & 0xFF);
            assertEquals(0, GF256.add((byte) a, (byte) a) & 0xFF);
            for (int b = 0; b < 256; b++) {
                assertEquals(mul(a, b), mul(b, a));
            }
        }
    }

    @Test
    void associativityAndDistributivityForAllTriples() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                int ab = mul(a, b);
                for (int c = 0; c < 256; c++) {
                    if (mul(ab, c) != mul(a, mul(b, c))) {
                        throw new AssertionError("associativity fails at " + a + "," + b + "," + c);
                    }
                    if (mul(a, b ^ c) != (ab ^ mul(a, c))) {
                        throw new AssertionError("distributivity fails at " + a + "," + b + "," + c);
                    }
                }
            }
        }
    }

    @Test
    void inverseAndDivisionForAllValues() {
        boolean[] seenInverse = new boolean[256];
        for (int a = 1; a < 256; a++) {
            int inv = GF256.inv((byte) a) & 0xFF;
            assertEquals(1, mul(a, inv), "a * inv(a) for a=" + a);
            seenInverse[inv] = true;
            for (int b = 0; b < 256; b++) {
                int q = GF256.div((byte) b, (byte) a) & 0xFF;
                assertEquals(b, mul(q, a), "(b / a) * a for a=" + a + " b=" + b);
                assertEquals(mul(b, inv), q);
            }
        }
        for (int v = 1; v < 256; v++) {
            assertEquals(true, seenInverse[v], "inverse is a bijection on non-zero elements");
        }
        assertThrows(ArithmeticException.class, () -> GF256.inv((byte) 0));
        assertThrows(ArithmeticException.class, () -> GF256.div((byte) 5, (byte) 0));
        assertThrows(ArithmeticException.class, () -> GF256.log((byte) 0));
    }

    @Test
    void twoGeneratesTheMultiplicativeGroup() {
        boolean[] seen = new boolean[256];
        for (int e = 0; e < 255; e++) {
            int v = GF256.exp(e) & 0xFF;
            assertEquals(false, seen[v], "2^" + e + " repeats");
            seen[v] = true;
            assertEquals(e, GF256.log((byte) v));
        }
        assertEquals(GF256.exp(0), GF256.exp(255));
        assertEquals(GF256.exp(254), GF256.exp(-1));
    }

    @Test
    void rowKernelsMatchScalarForEveryCoefficient() {
        Random rnd = new Random(7);
        int len = 301; // odd, to exercise any tail handling
        byte[] src = new byte[len + 5];
        rnd.nextBytes(src);
        for (int c = 0; c < 256; c++) {
            byte coef = (byte) c;
            byte[] dst = new byte[len + 9];
            rnd.nextBytes(dst);
            byte[] expectedAdd = dst.clone();
            byte[] expectedMul = dst.clone();
            for (int i = 0; i < len; i++) {
                expectedAdd[4 + i] ^= GF256.mul(coef, src[3 + i]);
                expectedMul[4 + i] = GF256.mul(coef, src[3 + i]);
            }
            byte[] d1 = dst.clone();
            GF256.mulAddRow(coef, src, 3, d1, 4, len);
            assertArrayEquals(expectedAdd, d1, "mulAddRow coef=" + c);
            byte[] d2 = dst.clone();
            GF256.mulRow(coef, src, 3, d2, 4, len);
            assertArrayEquals(expectedMul, d2, "mulRow coef=" + c);
            // in place
            byte[] d3 = src.clone();
            GF256.mulRow(coef, d3, 3, d3, 3, len);
            for (int i = 0; i < len; i++) {
                assertEquals(GF256.mul(coef, src[3 + i]), d3[3 + i]);
            }
        }
        assertThrows(IndexOutOfBoundsException.class,
                () -> GF256.mulAddRow((byte) 3, new byte[10], 5, new byte[10], 0, 6));
    }
}
