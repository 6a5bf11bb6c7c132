package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageSignature;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TableSignatureTest {
    private static final KeyPair MASTER = ImageSignature.newKeyPair();

    private static byte[] slice() {
        LiveTable t = new LiveTable("disk", 1 << 20);
        byte[] c = {1};
        t.add(4096, new ChunkMeta(ChunkId.hash(c, 0, 1), (byte) 0, 100, 200));
        return t.encodeSlice(0);
    }

    @Test
    void aSliceSignedByTheSessionsKeyOpensAndAnyOtherIsRefused() {
        byte[] slice = slice();
        byte[] signed = TableSignature.sign(MASTER.getPrivate(), 7, slice);
        assertArrayEquals(slice, TableSignature.open(MASTER.getPublic(), 7, signed));
        assertThrows(CorruptDataException.class, () -> TableSignature.open(MASTER.getPublic(), 8, signed), "another session's");
        byte[] rogue = TableSignature.sign(ImageSignature.newKeyPair().getPrivate(), 7, slice);
        assertThrows(CorruptDataException.class, () -> TableSignature.open(MASTER.getPublic(), 7, rogue), "a rogue master's");
        byte[] moved = signed.clone();
        moved[20] ^= 1; // a placement moved to another offset
        assertThrows(CorruptDataException.class, () -> TableSignature.open(MASTER.getPublic(), 7, moved));
        assertThrows(CorruptDataException.class, () -> TableSignature.open(MASTER.getPublic(), 7, slice), "an unsigned slice");
    }
}
