package io.imgcast.codec.fec;

import io.imgcast.testutil.Needs;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ISA-L's multiply-accumulate against the field's own tables (the setup installs libisal2). */
class IsalTest {
    @Test
    void isalGivesTheSameBytesAsTheTablesAtAnyOffsetAndLength() {
        Needs.library(Isal.available(), "libisal2", Isal.UNAVAILABLE);
        Random r = new Random(5);
        for (int trial = 0; trial < 2000; trial++) {
            int len = Isal.MIN_LENGTH + r.nextInt(3000);
            int srcOff = r.nextInt(100);
            int dstOff = r.nextInt(100);
            byte[] src = new byte[srcOff + len + r.nextInt(50)];
            byte[] dst = new byte[dstOff + len + r.nextInt(50)];
            r.nextBytes(src);
            r.nextBytes(dst);
            byte[] expect = dst.clone();
            int c = 2 + r.nextInt(254);
            for (int i = 0; i < len; i++) expect[dstOff + i] ^= GF256.mul((byte) c, src[srcOff + i]);
            Isal.mulAdd(c, src, srcOff, dst, dstOff, len);
            assertArrayEquals(expect, dst, "coefficient " + c + ", length " + len);
        }
    }

    @Test
    void theFieldRowKernelsUseIsalWhenItIsInstalledWhicheverClassLoadsFirst() {
        // this class touches Isal before GF256: Isal's self-test must not leave GF256 on the tables
        Needs.library(Isal.available(), "libisal2", Isal.UNAVAILABLE);
        assertTrue(GF256.kernel().startsWith("ISA-L"), GF256.kernel());
    }

    @Test
    void theSelfTestsMultiplicationIsTheFields() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) assertEquals(GF256.mul((byte) a, (byte) b) & 0xff, Isal.fieldMul(a, b), a + " x " + b);
        }
    }
}
