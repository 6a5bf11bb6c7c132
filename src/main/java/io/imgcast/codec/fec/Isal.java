package io.imgcast.codec.fec;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The GF(2^8) multiply-accumulate of Intel's ISA-L ({@code libisal.so.2}, Debian package
 * libisal2), called through the FFM API: {@code gf_vect_mad} uses the CPU's vector shuffles
 * (SSSE3/AVX2/AVX-512), several times the speed of the table loop in {@link GF256}. ISA-L works in
 * the same field (polynomial 0x11D), so both give the same bytes; {@link GF256} uses this when the
 * library is present and falls back to its own loop otherwise.
 *
 * <p>The call is a critical downcall with heap access: Java byte arrays are handed to the library
 * in place, without copying (the garbage collector waits for the call, a fraction of a
 * microsecond per symbol).
 */
final class Isal {
    private Isal() {}

    /** Below this many bytes the call costs more than the Java loop. */
    static final int MIN_LENGTH = 64;

    /** {@code void gf_vect_mad(int len, int vec, int vec_i, uchar *gftbls, uchar *src, uchar *dest)}, or null. */
    private static final MethodHandle MAD;
    /** 32-byte expanded tables of every coefficient, from {@code gf_vect_mul_init}. */
    private static final MemorySegment TABLES;
    /** Why the library is not used, or null when it is. */
    static final String UNAVAILABLE;

    static {
        MethodHandle mad = null;
        MemorySegment tables = null;
        String why = null;
        if (Boolean.getBoolean("imgcast.noIsal")) {
            why = "turned off (-Dimgcast.noIsal=true)";
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup lib = SymbolLookup.libraryLookup("libisal.so.2", Arena.global());
                MethodHandle init = linker.downcallHandle(lib.find("gf_vect_mul_init").orElseThrow(),
                        FunctionDescriptor.ofVoid(JAVA_BYTE, ADDRESS));
                mad = linker.downcallHandle(lib.find("gf_vect_mad").orElseThrow(),
                        FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
                        Linker.Option.critical(true));
                tables = Arena.global().allocate(256 * 32, 64);
                for (int c = 0; c < 256; c++) init.invokeExact((byte) c, tables.asSlice(c * 32L, 32));
                if (!selfTest(mad, tables)) {
                    mad = null;
                    why = "libisal.so.2 gave wrong products; not used";
                }
            } catch (Throwable e) {
                mad = null;
                why = "libisal.so.2 not found (install the libisal2 package for faster FEC)";
            }
        }
        MAD = mad;
        TABLES = tables;
        UNAVAILABLE = why;
    }

    static boolean available() {
        return MAD != null;
    }

    /** {@code dst[dstOff + i] ^= coef * src[srcOff + i]}; {@code coef} not 0; ranges already checked. */
    static void mulAdd(int coef, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        try {
            MAD.invokeExact(len, 1, 0, TABLES.asSlice(coef * 32L, 32),
                    MemorySegment.ofArray(src).asSlice(srcOff, len), MemorySegment.ofArray(dst).asSlice(dstOff, len));
        } catch (Throwable t) {
            throw new IllegalStateException("ISA-L gf_vect_mad failed", t);
        }
    }

    /** The library against the field's definition, every coefficient, before it is trusted. */
    private static boolean selfTest(MethodHandle mad, MemorySegment tables) throws Throwable {
        int len = 256 + 31; // every byte value, and a length that is not a multiple of the vector width
        byte[] src = new byte[len];
        for (int i = 0; i < len; i++) src[i] = (byte) i;
        for (int c = 1; c < 256; c++) {
            byte[] dst = new byte[len];
            mad.invokeExact(len, 1, 0, tables.asSlice(c * 32L, 32), MemorySegment.ofArray(src), MemorySegment.ofArray(dst));
            for (int i = 0; i < len; i++) if (dst[i] != (byte) fieldMul(c, src[i] & 0xff)) return false;
        }
        return true;
    }

    /**
     * Multiplication by the field's definition (shift and reduce by {@link GF256#POLYNOMIAL}),
     * independent of GF256's tables: GF256 asks this class whether ISA-L is usable while it is
     * being initialised, so the self-test must not need GF256 initialised.
     */
    static int fieldMul(int a, int b) {
        int p = 0;
        for (int i = 0; i < 8; i++) {
            if ((b & 1) != 0) p ^= a;
            b >>>= 1;
            a <<= 1;
            if ((a & 0x100) != 0) a ^= GF256.POLYNOMIAL;
        }
        return p & 0xff;
    }
}
