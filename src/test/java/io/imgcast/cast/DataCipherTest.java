package io.imgcast.cast;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataCipherTest {
    private static final int T = Wire.symbolSize(1500) - DataCipher.TAG;

    @Test
    void aSymbolSealedInPlaceOpensInPlaceInADirectBufferAndNothingElseDoes() {
        byte[] key = DataCipher.newKey();
        DataCipher c = new DataCipher(key, 5);
        byte[] plain = new byte[T];
        new Random(1).nextBytes(plain);
        byte[] pkt = new byte[Wire.MAX_PACKET];
        System.arraycopy(plain, 0, pkt, Wire.HEADER, T);
        c.seal(pkt, Wire.HEADER, T, 200, 7, 42);
        assertFalse(Arrays.equals(plain, Arrays.copyOfRange(pkt, Wire.HEADER, Wire.HEADER + T)), "encrypted");
        c.seal(pkt.clone(), Wire.HEADER, T, 200, 7, 42); // the same symbol twice in a row: allowed, and the same bytes

        ByteBuffer d = ByteBuffer.allocateDirect(Wire.MAX_PACKET);
        d.put(pkt).clear();
        assertTrue(c.open(d, Wire.HEADER, T, 200, 7, 42));
        byte[] back = new byte[T];
        d.get(Wire.HEADER, back);
        assertArrayEquals(plain, back);

        for (DataCipher other : new DataCipher[] {new DataCipher(DataCipher.newKey(), 5), new DataCipher(key, 6)}) {
            ByteBuffer e = ByteBuffer.allocateDirect(Wire.MAX_PACKET);
            e.put(pkt).clear();
            assertFalse(other.open(e, Wire.HEADER, T, 200, 7, 42), "another key or session");
        }
        ByteBuffer moved = ByteBuffer.allocateDirect(Wire.MAX_PACKET);
        moved.put(pkt).clear();
        assertFalse(c.open(moved, Wire.HEADER, T, 200, 8, 42), "the symbol claimed for another ESI");
        ByteBuffer flipped = ByteBuffer.allocateDirect(Wire.MAX_PACKET);
        pkt[Wire.HEADER + 3] ^= 1;
        flipped.put(pkt).clear();
        assertFalse(c.open(flipped, Wire.HEADER, T, 200, 7, 42), "a changed byte");
    }
}
