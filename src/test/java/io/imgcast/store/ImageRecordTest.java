package io.imgcast.store;

import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageRecordTest {
    @TempDir Path tmp;

    static ImageRecord sample(String name) {
        byte[] sha = new byte[32];
        Arrays.fill(sha, (byte) 7);
        return new ImageRecord(name, ImageKind.VOLUME, "desc \u00e9", null, "me@host", 1234567L,
                new StoredManifest(new byte[] {1, 2, 3, 4}, sha, new byte[] {9, 9}));
    }

    @Test
    void roundTrips() {
        ImageRecord r = sample("disk-1");
        ImageRecord back = ImageRecord.decode(r.encode());
        assertEquals("disk-1", back.name());
        assertEquals(ImageKind.VOLUME, back.kind());
        assertEquals("desc \u00e9", back.description());
        assertNull(back.flags());
        assertEquals("me@host", back.userInfo());
        assertEquals(1234567L, back.created());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, back.manifest().blob());
        assertArrayEquals(r.manifest().sha256(), back.manifest().sha256());
        assertArrayEquals(new byte[] {9, 9}, back.manifest().signature());
    }

    @Test
    void everyDamagedByteAndEveryTruncationIsRefused() {
        byte[] good = sample("disk-1").encode();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            assertThrows(CorruptDataException.class, () -> ImageRecord.decode(bad), "flipped byte " + i);
        }
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThrows(CorruptDataException.class, () -> ImageRecord.decode(cut), "cut at " + n);
        }
    }

    @Test
    void sideFilesAreWrittenWholeAndLeftoversRemoved() throws Exception {
        SideFiles f = new SideFiles(tmp);
        f.writeImage(sample("keep"));
        f.writeImage(sample("orphan"));
        Files.write(f.imagesDir().resolve("half.image.tmp"), new byte[3]);
        SideFiles.writeDurably(f.dictionaryFile(), new byte[] {1});
        assertEquals(2, f.imageFiles().size(), "temporary files are not records");
        f.removeLeftovers(Set.of("keep"), false);
        assertEquals(java.util.List.of(f.imageFile("keep")), f.imageFiles());
        assertFalse(Files.exists(f.imagesDir().resolve("half.image.tmp")));
        assertFalse(Files.exists(f.dictionaryFile()), "a dictionary the index does not hold is a leftover");
        assertTrue(f.imageFile("keep").getFileName().toString().matches("[0-9a-f]{64}\\.image"));
        f.removeImage("keep");
        assertTrue(f.imageFiles().isEmpty());
    }
}
