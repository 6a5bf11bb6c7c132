package io.imgcast.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The x86 branch-call-jump filter of xz/7-zip (BCJ x86), applied to one chunk in place: the
 * 32-bit relative targets of E8 (call) and E9 (jmp) instructions become absolute (chunk-relative)
 * addresses, so repeated calls to one function become repeated byte strings that zstd finds.
 * {@link #decode} undoes {@link #encode} exactly for the same buffer length. Stateless.
 */
public final class X86Filter {
    private static final boolean[] MASK_TO_ALLOWED = {true, true, true, false, true, false, false, false};
    private static final int[] MASK_TO_BIT = {0, 1, 2, 2, 3, 3, 3, 3};

    private X86Filter() {}

    public static void encode(byte[] buf, int off, int len) {
        code(buf, off, len, true);
    }

    public static void decode(byte[] buf, int off, int len) {
        code(buf, off, len, false);
    }

    private static boolean msb(int b) {
        return b == 0 || b == 0xFF;
    }

    private static void code(byte[] buf, int off, int size, boolean enc) {
        if (size < 5) return;
        int prevMask = 0;
        int prevPos = -5;
        final int limit = size - 5;
        int pos = 0;
        while (pos <= limit) {
            int b = buf[off + pos] & 0xFF;
            if (b != 0xE8 && b != 0xE9) {
                pos = next(buf, off, pos + 1, limit);
                continue;
            }
            int offset = pos - prevPos;
            prevPos = pos;
            if (offset > 5) {
                prevMask = 0;
            } else {
                for (int i = 0; i < offset; i++) {
                    prevMask &= 0x77;
                    prevMask <<= 1;
                }
            }
            b = buf[off + pos + 4] & 0xFF;
            if (msb(b) && MASK_TO_ALLOWED[(prevMask >>> 1) & 7] && (prevMask >>> 1) < 0x10) {
                int src = (b << 24) | ((buf[off + pos + 3] & 0xFF) << 16) | ((buf[off + pos + 2] & 0xFF) << 8) | (buf[off + pos + 1] & 0xFF);
                int dest;
                while (true) {
                    dest = enc ? src + (pos + 5) : src - (pos + 5);
                    if (prevMask == 0) break;
                    int i = MASK_TO_BIT[prevMask >>> 1];
                    b = (dest >>> (24 - i * 8)) & 0xFF;
                    if (!msb(b)) break;
                    src = dest ^ ((1 << (32 - i * 8)) - 1);
                }
                buf[off + pos + 4] = (byte) ~(((dest >>> 24) & 1) - 1);
                buf[off + pos + 3] = (byte) (dest >>> 16);
                buf[off + pos + 2] = (byte) (dest >>> 8);
                buf[off + pos + 1] = (byte) dest;
                pos += 5;
                prevMask = 0;
            } else {
                pos++;
                prevMask |= 1;
                if (msb(b)) prevMask |= 0x10;
            }
        }
    }

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long E9S = 0xE9E9E9E9E9E9E9E9L;

    /**
     * The first position in [from, limit] holding E8 or E9, else limit + 1; eight bytes at a time
     * (a byte is E8 or E9 exactly when (byte | 1) == E9). Only skips what the byte loop would.
     */
    private static int next(byte[] buf, int off, int from, int limit) {
        int p = from;
        while (p + 8 <= limit + 1) {
            long v = ((long) LONGS.get(buf, off + p) | ONES) ^ E9S; // zero byte where E8/E9
            long z = (v - ONES) & ~v & HIGHS;
            if (z != 0) return p + (Long.numberOfTrailingZeros(z) >>> 3);
            p += 8;
        }
        while (p <= limit) {
            int b = buf[off + p] & 0xFF;
            if (b == 0xE8 || b == 0xE9) return p;
            p++;
        }
        return p;
    }

    /** True if {@code buf} starts an x86-64 or i386 ELF file (magic, then e_machine 62 or 3). */
    public static boolean isX86Elf(byte[] buf, int off, int len) {
        if (len < 20 || buf[off] != 0x7F || buf[off + 1] != 'E' || buf[off + 2] != 'L' || buf[off + 3] != 'F') return false;
        int machine = (buf[off + 18] & 0xFF) | (buf[off + 19] & 0xFF) << 8; // little-endian e_machine
        return machine == 62 || machine == 3;
    }
}
