package io.imgcast.image;

import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.Store;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.StoreState;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static io.imgcast.image.TreeRoundTripTest.meta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Volume images: raw files with holes, real ext4 file systems, block devices. */
class VolumeTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    static void writeAt(Path f, long offset, byte[] data) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.seek(offset);
            r.write(data);
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static void fill(Path f, long size, int value) throws IOException {
        byte[] buf = new byte[(int) MiB];
        Arrays.fill(buf, (byte) value);
        try (var out = Files.newOutputStream(f)) {
            for (long left = size; left > 0; left -= buf.length) out.write(buf, 0, (int) Math.min(buf.length, left));
        }
    }

    @Test
    void holesAreNeitherStoredNorWritten() throws IOException {
        Path vol = tmp.resolve("sparse.img");
        try (RandomAccessFile r = new RandomAccessFile(vol.toFile(), "rw")) {
            r.setLength(1L << 30);
        }
        writeAt(vol, 100 * MiB, random((int) MiB, 1));
        writeAt(vol, 500 * MiB + 12345, random((int) MiB, 2));
        writeAt(vol, (1L << 30) - MiB, random((int) MiB, 3)); // data up to the very last byte
        assertTrue(Sh.allocatedBytes(vol) < 8 * MiB, "the source is sparse");
        Path out = tmp.resolve("applied.img");
        try (Store s = Store.open(tmp.resolve("store"))) {
            long before = s.packBytes();
            ImageInfo info = Capture.run(s, vol, false, meta("sparse"), CaptureOptions.defaults());
            long grew = s.packBytes() - before;
            assertEquals(ImageKind.VOLUME, info.kind());
            assertEquals(1L << 30, info.bytes());
            assertTrue(grew >= 3 * MiB && grew < 3 * MiB + 256 * 1024, "store grew by " + grew + " for 3 MiB of data in a 1 GiB volume");
            Manifest m = s.manifest(info);
            assertTrue(m.dataBytes() >= 3 * MiB && m.dataBytes() < 3 * MiB + 3 * 4096, "extents hold " + m.dataBytes());
            Apply.run(s, "sparse", out, 3, Progress.NONE);
        }
        assertEquals(1L << 30, Files.size(out));
        long allocated = Sh.allocatedBytes(out);
        assertTrue(allocated >= 3 * MiB && allocated < 3 * MiB + 512 * 1024, "applied file allocates " + allocated + " bytes");
        assertTrue(Sh.cmp(vol, out, 0), "applied volume differs from the source");
    }

    @Test
    void zeroRunsInsideAFullyAllocatedFileBecomeHolesAndShortOnesStay() throws IOException {
        Path vol = tmp.resolve("dense.img");
        long size = 6 * MiB + 123; // not a multiple of the block size
        byte[] all = random((int) size, 4);
        Arrays.fill(all, (int) MiB, (int) (3 * MiB), (byte) 0);                  // 2 MiB of allocated zeros: a hole
        Arrays.fill(all, (int) (4 * MiB), (int) (4 * MiB + 60 * 1024), (byte) 0); // 60 KiB: too short for a hole
        Files.write(vol, all);
        Path out = tmp.resolve("out.img");
        Files.write(out, random((int) (9 * MiB), 5)); // an existing, larger file is replaced when forced (ApplySafetyTest: refused without)
        try (Store s = Store.open(tmp.resolve("store"))) {
            ImageInfo info = Capture.run(s, vol, false, meta("dense"), CaptureOptions.defaults());
            Manifest m = s.manifest(info);
            assertEquals(size, m.volumeSize());
            assertEquals(2, m.extents().size(), "one hole splits the data in two");
            assertEquals(size - 2 * MiB, m.dataBytes());
            Apply.run(s, "dense", out, 2, Progress.NONE, true);
        }
        assertEquals(size, Files.size(out));
        assertTrue(Sh.cmp(vol, out, 0));
    }

    @Test
    void emptyAndTinyVolumes() throws IOException {
        Path empty = tmp.resolve("empty.img");
        Files.createFile(empty);
        Path tiny = tmp.resolve("tiny.img");
        Files.write(tiny, new byte[] {1, 2, 3});
        Path zeros = tmp.resolve("zeros.img");
        Files.write(zeros, new byte[100_000]);
        try (Store s = Store.open(tmp.resolve("store"))) {
            for (Path v : new Path[] {empty, tiny, zeros}) {
                String name = v.getFileName().toString();
                Capture.run(s, v, false, meta(name), CaptureOptions.defaults());
                Path out = tmp.resolve("out-" + name);
                Apply.run(s, name, out, 2, Progress.NONE);
                assertEquals(Files.size(v), Files.size(out), name);
                assertTrue(Sh.cmp(v, out, 0), name);
            }
        }
    }

    private Path ext4(Path tree, String name, String size) {
        Path img = tmp.resolve(name);
        Sh.run("mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", "-d", tree.toString(), img.toString(), size).ok();
        return img;
    }

    @Test
    void ext4VolumeAppliesToAFileAndToALoopDevice() throws IOException {
        Path tree = tmp.resolve("tree");
        TreeGen.plain(tree, 11, 6 * (int) MiB);
        Path img = ext4(tree, "fs.img", "48M");
        long size = Files.size(img);
        Path out = tmp.resolve("applied.img");
        Path backing = tmp.resolve("device-backing");
        fill(backing, 64 * MiB, 0xa5); // a used disk: garbage everywhere, larger than the image
        try (Store s = Store.open(tmp.resolve("store"))) {
            // every block: the device then holds the image bit for bit (a file-system-aware capture
            // leaves the device's bytes in unused blocks alone; see FileSystemVolumeTest)
            Capture.run(s, img, false, meta("fs"), CaptureOptions.defaults().withFsAware(false));
            Apply.run(s, "fs", out, 3, Progress.NONE);
            assertTrue(Sh.cmp(img, out, 0), "applied ext4 image differs");
            assertEquals(0, Sh.run("e2fsck", "-fn", out.toString()).code(), "e2fsck on the applied image");
            try (Sh.Loop loop = Sh.Loop.attach(backing)) {
                Apply.run(s, "fs", loop.device(), 3, Progress.NONE);
                assertTrue(Sh.cmp(img, loop.device(), size), "device holds the image, holes zeroed");
                assertEquals(0, Sh.run("e2fsck", "-fn", loop.device().toString()).code(), "e2fsck on the device");
            }
        }
        // beyond the image the device is untouched
        byte[] tail = new byte[4096];
        try (RandomAccessFile r = new RandomAccessFile(backing.toFile(), "r")) {
            r.seek(size);
            r.readFully(tail);
        }
        byte[] want = new byte[4096];
        Arrays.fill(want, (byte) 0xa5);
        assertTrue(Arrays.equals(want, tail));
    }

    @Test
    void aVolumeCanBeCapturedFromABlockDevice() throws IOException {
        Path backing = tmp.resolve("disk");
        Files.write(backing, new byte[(int) (8 * MiB)]);
        writeAt(backing, 3 * MiB, random((int) MiB, 7));
        Path out = tmp.resolve("out");
        try (Store s = Store.open(tmp.resolve("store")); Sh.Loop loop = Sh.Loop.attach(backing)) {
            ImageInfo info = Capture.run(s, loop.device(), false, meta("dev"), CaptureOptions.defaults());
            assertEquals(ImageKind.VOLUME, info.kind());
            assertEquals(8 * MiB, info.bytes());
            assertEquals(MiB, s.manifest(info).dataBytes());
            Apply.run(s, "dev", out, 2, Progress.NONE);
        }
        assertTrue(Sh.cmp(backing, out, 0));
    }

    @Test
    void relatedExt4VolumesShareChunks() {
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 21, 12 * (int) MiB);
        Path b = tmp.resolve("b");
        TreeGen.copy(a, b);
        TreeGen.nextEdition(b, 21);
        Path ia = ext4(a, "a.img", "40M");
        Path ib = ext4(b, "b.img", "40M");
        try (Store s = Store.open(tmp.resolve("store"))) {
            long p0 = s.packBytes();
            Capture.run(s, ia, false, meta("a"), CaptureOptions.defaults());
            long p1 = s.packBytes();
            ImageInfo ib2 = Capture.run(s, ib, false, meta("b"), CaptureOptions.defaults());
            long p2 = s.packBytes();
            long first = p1 - p0, second = p2 - p1;
            assertTrue(first > 12 * MiB, "first volume stored " + first);
            assertTrue(second < first / 5, "second, related volume added " + second + " bytes after " + first);
            assertTrue(ib2.storedBytes() - s.unique(ib2).storedBytes() > 10 * MiB, "most of b is shared with a");
        }
    }

    @Test
    void aDeviceSmallerThanTheImageIsRefusedUntouched() throws IOException {
        Path vol = tmp.resolve("vol.img");
        try (RandomAccessFile r = new RandomAccessFile(vol.toFile(), "rw")) {
            r.setLength(4 * MiB);
        }
        writeAt(vol, 0, random((int) MiB, 8));
        Path backing = tmp.resolve("small-disk");
        fill(backing, 2 * MiB, 0x5a);
        String before = Sh.run("sha256sum", backing.toString()).ok().out().split(" ")[0];
        try (Store s = Store.open(tmp.resolve("store"))) {
            Capture.run(s, vol, false, meta("vol"), CaptureOptions.defaults());
            try (Sh.Loop loop = Sh.Loop.attach(backing)) {
                ApplyException e = assertThrows(ApplyException.class, () -> Apply.run(s, "vol", loop.device(), 2, Progress.NONE));
                assertTrue(e.getMessage().contains(loop.device().toString()) && e.getMessage().contains("2097152")
                        && e.getMessage().contains("4194304"), e.getMessage());
            }
            // a directory is neither a device nor a file
            Path dir = Files.createDirectory(tmp.resolve("a-dir"));
            ApplyException e = assertThrows(ApplyException.class, () -> Apply.run(s, "vol", dir, 2, Progress.NONE));
            assertTrue(e.getMessage().contains("neither a block device nor a regular file"), e.getMessage());
        }
        assertEquals(before, Sh.run("sha256sum", backing.toString()).ok().out().split(" ")[0], "the small device was not written");
        assertFalse(StoreState.of(tmp.resolve("store")).images().isEmpty());
    }
}
