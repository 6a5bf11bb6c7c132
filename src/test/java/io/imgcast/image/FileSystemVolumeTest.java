package io.imgcast.image;

import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.store.Store;
import io.imgcast.testutil.Sh;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.imgcast.image.TreeRoundTripTest.meta;
import static io.imgcast.image.VolumeTest.random;
import static io.imgcast.image.VolumeTest.writeAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File-system-aware volume capture: volumes whose free space holds stale data (written before
 * the file system was made, as on a used disk), made without mounting, are captured, applied to
 * a fresh file and checked clean by their file system's checker, with their files intact.
 */
class FileSystemVolumeTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    /** A file of {@code size} bytes with {@code staleMiB} MiB of random data spread over it (the rest sparse). */
    Path stale(String name, long size, int staleMiB) throws IOException {
        Path f = tmp.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size);
        }
        long step = size / staleMiB;
        for (int i = 0; i < staleMiB; i++) writeAt(f, i * step - (i * step) % 4096, random((int) MiB, 1000 + i));
        return f;
    }

    /** Two files: 2 MiB of random bytes and a line of text. */
    Path files() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("files"));
        Files.write(d.resolve("big.bin"), random((int) (2 * MiB), 7));
        Files.writeString(d.resolve("note.txt"), "kept as it was\n");
        return d;
    }

    record Captured(Manifest manifest, long storeGrew, String note, Path out) {}

    Captured roundTrip(Path img, String name) {
        List<String> notes = new ArrayList<>();
        Path out = tmp.resolve(name + ".applied");
        try (Store s = Store.open(tmp.resolve("store"))) {
            long before = s.packBytes();
            Capture.run(s, img, false, meta(name), CaptureOptions.defaults().withNotes(notes::add));
            long grew = s.packBytes() - before;
            Apply.run(s, name, out, 2, Progress.NONE);
            return new Captured(s.manifest(s.image(name)), grew, String.join("; ", notes), out);
        }
    }

    /** Every byte outside the unused spans is the source's. */
    static void sameOutsideUnused(Path a, Path b, Manifest m) throws IOException {
        try (RandomAccessFile x = new RandomAccessFile(a.toFile(), "r"); RandomAccessFile y = new RandomAccessFile(b.toFile(), "r")) {
            long at = 0;
            List<Span> unused = new ArrayList<>(m.unused());
            unused.add(new Span(m.volumeSize(), 1));
            for (Span u : unused) {
                compare(x, y, at, u.offset());
                at = u.end();
            }
        }
    }

    private static void compare(RandomAccessFile x, RandomAccessFile y, long from, long to) throws IOException {
        byte[] p = new byte[(int) MiB];
        byte[] q = new byte[(int) MiB];
        for (long at = from; at < to; at += p.length) {
            int n = (int) Math.min(p.length, to - at);
            x.seek(at);
            x.readFully(p, 0, n);
            y.seek(at);
            y.readFully(q, 0, n);
            if (!Arrays.equals(p, 0, n, q, 0, n)) throw new AssertionError("bytes differ in " + at + "+" + n + ", which is not unused");
        }
    }

    void usedOnly(Captured c, String fs, long staleBytes) {
        assertTrue(c.note().contains(fs + ": used blocks only"), c.note());
        assertTrue(c.manifest().unusedBytes() > 0, "unused spans recorded");
        assertTrue(c.storeGrew() < staleBytes / 4, "stored " + c.storeGrew() + " bytes with " + staleBytes + " bytes of stale free space");
    }

    @Test
    void ext4() throws IOException {
        Path img = stale("ext4.img", 96 * MiB, 48);
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-E", "nodiscard,root_owner=0:0", "-d", files().toString(), img.toString()).ok();
        Captured c = roundTrip(img, "ext4");
        usedOnly(c, "ext4", 48 * MiB);
        sameOutsideUnused(img, c.out(), c.manifest());
        assertEquals(0, Sh.run("e2fsck", "-fn", c.out().toString()).code(), "e2fsck -fn on the applied volume");
        Path got = tmp.resolve("got.bin");
        Sh.run("debugfs", "-R", "dump /big.bin " + got, c.out().toString()).ok();
        assertArrayEquals(random((int) (2 * MiB), 7), Files.readAllBytes(got));
    }

    @Test
    void fat() throws IOException {
        Path img = stale("fat.img", 64 * MiB, 32);
        Sh.run("mkfs.vfat", img.toString()).ok();
        Path d = files();
        Sh.run("mcopy", "-i", img.toString(), d.resolve("big.bin").toString(), d.resolve("note.txt").toString(), "::").ok();
        Captured c = roundTrip(img, "fat");
        usedOnly(c, "vfat", 32 * MiB);
        sameOutsideUnused(img, c.out(), c.manifest());
        assertEquals(0, Sh.run("fsck.vfat", "-n", c.out().toString()).code(), "fsck.vfat -n on the applied volume");
        Path got = tmp.resolve("got.bin");
        Sh.run("mcopy", "-i", c.out().toString(), "::big.bin", got.toString()).ok();
        assertArrayEquals(random((int) (2 * MiB), 7), Files.readAllBytes(got));
    }

    @Test
    void ntfs() throws IOException {
        Path img = stale("ntfs.img", 64 * MiB, 32);
        Sh.run("mkntfs", "-q", "-F", "-Q", img.toString()).ok();
        Path d = files();
        Sh.run("ntfscp", "-f", img.toString(), d.resolve("big.bin").toString(), "big.bin").ok();
        Captured c = roundTrip(img, "ntfs");
        usedOnly(c, "ntfs", 32 * MiB);
        sameOutsideUnused(img, c.out(), c.manifest());
        assertEquals(0, Sh.run("ntfsfix", "-n", c.out().toString()).code(), "ntfsfix -n on the applied volume");
        Path got = tmp.resolve("got.bin");
        Sh.bash("ntfscat " + Sh.q(c.out()) + " big.bin > " + Sh.q(got)).ok();
        assertArrayEquals(random((int) (2 * MiB), 7), Files.readAllBytes(got));
    }

    @Test
    void xfs() throws IOException {
        Path img = stale("xfs.img", 320 * MiB, 64);
        Path d = files();
        Path proto = Files.writeString(tmp.resolve("proto"), "/dummy\n0 0\nd--755 0 0\nbig.bin ---644 0 0 " + d.resolve("big.bin")
                + "\nnote.txt ---644 0 0 " + d.resolve("note.txt") + "\n$\n");
        Sh.run("mkfs.xfs", "-q", "-K", "-f", "-p", proto.toString(), img.toString()).ok();
        Captured c = roundTrip(img, "xfs");
        usedOnly(c, "xfs", 64 * MiB);
        sameOutsideUnused(img, c.out(), c.manifest());
        assertEquals(0, Sh.run("xfs_repair", "-n", c.out().toString()).code(), "xfs_repair -n on the applied volume");
    }

    @Test
    void swapIsItsHeaderOnly() throws IOException {
        Path img = stale("swap.img", 32 * MiB, 16);
        Sh.run("mkswap", img.toString()).ok();
        Captured c = roundTrip(img, "swap");
        assertTrue(c.note().contains("swap: header page only"), c.note());
        assertEquals(List.of(new Span(4096, 32 * MiB - 4096)), c.manifest().unused());
        assertTrue(c.storeGrew() < 64 * 1024, "stored " + c.storeGrew());
        assertTrue(Sh.run("blkid", "-p", "-o", "value", "-s", "TYPE", c.out().toString()).out().contains("swap"));
    }

    @Test
    void unknownContentFallsBackToEveryNonZeroBlock() throws IOException {
        Path img = stale("raw.img", 16 * MiB, 4);
        Captured c = roundTrip(img, "raw");
        assertTrue(c.note().contains("every non-zero block"), c.note());
        assertTrue(c.manifest().unused().isEmpty());
        assertTrue(Sh.cmp(img, c.out(), 0), "bit for bit");
    }

    @Test
    void everyBlockCaptureReadsFreeSpaceToo() throws IOException {
        Path img = stale("ext4-every.img", 64 * MiB, 32);
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-E", "nodiscard", img.toString()).ok();
        try (Store s = Store.open(tmp.resolve("store"))) {
            Capture.run(s, img, false, meta("every"), CaptureOptions.defaults().withFsAware(false));
            Manifest m = s.manifest(s.image("every"));
            assertTrue(m.unused().isEmpty());
            assertTrue(m.dataBytes() >= 24 * MiB, "the stale data is data: " + m.dataBytes());
        }
    }

    @Test
    void freshApplyOntoABlankFileFourTimesLargerAllocatesOnlyTheData() throws IOException {
        Path img = stale("ext4-fresh.img", 96 * MiB, 48);
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-E", "nodiscard,root_owner=0:0", "-d", files().toString(), img.toString()).ok();
        Path blank = tmp.resolve("blank-disk");
        try (RandomAccessFile r = new RandomAccessFile(blank.toFile(), "rw")) {
            r.setLength(4 * 96 * MiB);
        }
        try (Store s = Store.open(tmp.resolve("store"))) {
            Capture.run(s, img, false, meta("fresh"), CaptureOptions.defaults());
            Manifest m = s.manifest(s.image("fresh"));
            Apply.run(s, "fresh", blank, 2, Progress.NONE, false, true);
            assertEquals(4 * 96 * MiB, Files.size(blank), "a larger fresh target keeps its size");
            long allocated = Sh.allocatedBytes(blank);
            assertTrue(allocated <= m.dataBytes() * 12 / 10, "allocated " + allocated + " for " + m.dataBytes() + " bytes of data");
            sameOutsideUnused(img, blank, m);
            assertEquals(0, Sh.run("e2fsck", "-fn", blank.toString()).code(), "e2fsck -fn on the blank file");
        }
    }

    @Test
    void freshApplyOntoAUsedDiskZeroesHolesAndLeavesUnusedBlocks() throws IOException {
        Path img = stale("ext4-used.img", 64 * MiB, 16);
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-E", "nodiscard,root_owner=0:0", "-d", files().toString(), img.toString()).ok();
        Path disk = tmp.resolve("used-disk");
        VolumeTest.fill(disk, 64 * MiB, 0xa5); // fully allocated garbage, like a disk in service
        try (Store s = Store.open(tmp.resolve("store"))) {
            Capture.run(s, img, false, meta("used"), CaptureOptions.defaults());
            Manifest m = s.manifest(s.image("used"));
            assertTrue(!m.zeroHoles().isEmpty(), "the image has zero holes inside used blocks");
            Apply.run(s, "used", disk, 2, Progress.NONE, false, true);
            sameOutsideUnused(img, disk, m); // includes the zero holes: they read as zeros now
            Span u = m.unused().getLast();
            byte[] b = new byte[4096];
            try (RandomAccessFile r = new RandomAccessFile(disk.toFile(), "r")) {
                r.seek(u.offset());
                r.readFully(b);
            }
            byte[] want = new byte[4096];
            Arrays.fill(want, (byte) 0xa5);
            assertArrayEquals(want, b, "an unused block keeps what the disk held");
            assertEquals(0, Sh.run("e2fsck", "-fn", disk.toString()).code());
        }
    }

    /** A 64 MiB disk image with three partitions: 1 at 1-17 MiB, 2 at 17-33 MiB, 3 at 33-63 MiB. */
    Path disk(String name, String label) throws IOException {
        Path d = tmp.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(d.toFile(), "rw")) {
            r.setLength(64 * MiB);
        }
        Sh.bash("printf 'label: dos\nlabel-id: " + label + "\nstart=2048, size=32768\nstart=34816, size=32768\nstart=67584, size=61440\n' | sfdisk -q "
                + Sh.q(d)).ok();
        return d;
    }

    @Test
    void selectedPartitionsGoToTheirPlaceAndEveryOtherByteStays() throws IOException {
        Path src = disk("src-disk", "0x11111111");
        byte[] p2 = random((int) (4 * MiB), 21);
        writeAt(src, 17 * MiB + 8192, p2);
        writeAt(src, 2 * MiB, random(4096, 22)); // partition 1 of the source: not selected
        Path dst = disk("dst-disk", "0x22222222");
        byte[] marker1 = random(4096, 31);
        byte[] marker3 = random(4096, 33);
        writeAt(dst, 2 * MiB, marker1);
        writeAt(dst, 40 * MiB, marker3);
        writeAt(dst, 17 * MiB + 4096, random(4096, 34)); // old data in partition 2: the image's zeros replace it
        byte[] table = read(dst, 0, 512);
        try (Store s = Store.open(tmp.resolve("store"))) {
            long[] ranges = PartitionTable.read(src).keepRanges(java.util.Set.of(2), 64 * MiB, false);
            assertArrayEquals(new long[] {17 * MiB, 33 * MiB}, ranges);
            Capture.run(s, src, true, meta("p2"), CaptureOptions.defaults(), ranges);
            Apply.run(s, "p2", dst, 2, Progress.NONE, false, true);
            assertArrayEquals(marker1, read(dst, 2 * MiB, 4096), "partition 1 untouched");
            assertArrayEquals(marker3, read(dst, 40 * MiB, 4096), "partition 3 untouched");
            assertArrayEquals(table, read(dst, 0, 512), "the partition table is written only with --with-table");
            assertArrayEquals(read(src, 17 * MiB, (int) (16 * MiB)), read(dst, 17 * MiB, (int) (16 * MiB)), "partition 2 is the image's");

            long[] withTable = PartitionTable.read(src).keepRanges(java.util.Set.of(2), 64 * MiB, true);
            Capture.run(s, src, true, meta("p2t"), CaptureOptions.defaults(), withTable);
            Apply.run(s, "p2t", dst, 2, Progress.NONE, false, true);
            assertArrayEquals(read(src, 0, 512), read(dst, 0, 512), "with the table");
            assertArrayEquals(marker3, read(dst, 40 * MiB, 4096), "partition 3 still untouched");
        }
    }

    /** Copies {@code len} bytes of {@code disk} from {@code at} into a file of their own (a partition, for its checker). */
    Path extract(Path disk, long at, long len, String name) throws IOException {
        Path out = tmp.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(disk.toFile(), "r"); RandomAccessFile w = new RandomAccessFile(out.toFile(), "rw")) {
            byte[] b = new byte[(int) MiB];
            for (long done = 0; done < len; done += b.length) {
                int n = (int) Math.min(b.length, len - done);
                r.seek(at + done);
                r.readFully(b, 0, n);
                w.write(b, 0, n);
            }
        }
        return out;
    }

    @Test
    void wholeGptDiskReadsEachPartitionsUsedBlocks() throws IOException {
        long p1 = MiB;
        long p2 = 65 * MiB;
        long len = 64 * MiB;
        Path img = stale("disk.img", 130 * MiB, 96);
        writeAt(img, 0, new byte[(int) MiB]); // the table's first and last MiB hold no stale data: they are read whole
        writeAt(img, 129 * MiB, new byte[(int) MiB]);
        Sh.bash("printf 'label: gpt\nstart=2048, size=131072, type=L\nstart=133120, size=131072, type=U\n' | sfdisk -q " + Sh.q(img)).ok();
        Path d = files();
        try (Sh.Loop ext4 = Sh.Loop.attach(img, p1, len); Sh.Loop fat = Sh.Loop.attach(img, p2, len)) {
            Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-E", "nodiscard,root_owner=0:0", "-d", d.toString(), ext4.device().toString()).ok();
            Sh.run("mkfs.vfat", "-F", "32", fat.device().toString()).ok();
            Sh.run("mcopy", "-i", fat.device().toString(), d.resolve("big.bin").toString(), d.resolve("note.txt").toString(), "::").ok();
        }
        // what each partition on its own stores, captured as a volume of its own
        long alone = 0;
        try (Store s = Store.open(tmp.resolve("alone"))) {
            for (long at : new long[] {p1, p2}) {
                long before = s.packBytes();
                Capture.run(s, extract(img, at, len, "part-" + at), false, meta("part-" + at), CaptureOptions.defaults());
                alone += s.packBytes() - before;
            }
        }
        Captured c = roundTrip(img, "disk");
        assertTrue(c.note().contains("gpt disk"), c.note());
        assertTrue(c.note().contains("partition 1 ext4: used blocks only"), c.note());
        assertTrue(c.note().contains("partition 2 vfat: used blocks only"), c.note());
        assertTrue(c.storeGrew() < 96 * MiB / 8, "stored " + c.storeGrew() + " bytes of a disk with 96 MiB of stale data");
        assertTrue(c.storeGrew() <= alone * 11 / 10 + 64 * 1024, "stored " + c.storeGrew() + " bytes; the partitions alone " + alone);
        sameOutsideUnused(img, c.out(), c.manifest());
        for (Span u : c.manifest().unused()) {
            boolean inside = (u.offset() >= p1 && u.end() <= p1 + len) || (u.offset() >= p2 && u.end() <= p2 + len);
            assertTrue(inside, "unused span " + u + " lies inside a partition: the table and gaps are read whole");
        }
        Path e = extract(c.out(), p1, len, "applied-ext4");
        assertEquals(0, Sh.run("e2fsck", "-fn", e.toString()).code(), "e2fsck -fn on the applied disk's partition 1");
        Path got = tmp.resolve("got.bin");
        Sh.run("debugfs", "-R", "dump /big.bin " + got, e.toString()).ok();
        assertArrayEquals(random((int) (2 * MiB), 7), Files.readAllBytes(got));
        Path f = extract(c.out(), p2, len, "applied-fat");
        assertEquals(0, Sh.run("fsck.vfat", "-n", f.toString()).code(), "fsck.vfat -n on the applied disk's partition 2");
        Path got2 = tmp.resolve("got2.bin");
        Sh.run("mcopy", "-i", f.toString(), "::big.bin", got2.toString()).ok();
        assertArrayEquals(random((int) (2 * MiB), 7), Files.readAllBytes(got2));
        assertEquals("", Sh.run("losetup", "-j", img.toString()).out().strip(), "the capture's loop devices are detached");
    }

    @Test
    void aDiskPartitionLeftOutIsNotLookedAt() throws IOException {
        Path img = stale("disk2.img", 80 * MiB, 60);
        Sh.bash("printf 'label: gpt\nstart=2048, size=65536, type=L\nstart=67584, size=65536, type=L\n' | sfdisk -q " + Sh.q(img)).ok();
        try (Sh.Loop a = Sh.Loop.attach(img, MiB, 32 * MiB); Sh.Loop b = Sh.Loop.attach(img, 33 * MiB, 32 * MiB)) {
            Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-E", "nodiscard", a.device().toString()).ok();
            Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-E", "nodiscard", b.device().toString()).ok();
        }
        List<String> notes = new ArrayList<>();
        try (Store s = Store.open(tmp.resolve("store"))) {
            long[] ranges = PartitionTable.read(img).keepRanges(java.util.Set.of(2), 80 * MiB, false);
            Capture.run(s, img, true, meta("p2"), CaptureOptions.defaults().withNotes(notes::add), ranges);
            Manifest m = s.manifest(s.image("p2"));
            String note = String.join("; ", notes);
            assertTrue(note.contains("partition 2 ext4: used blocks only") && !note.contains("partition 1"), note);
            assertTrue(m.dataBytes() < 12 * MiB, "only partition 2's used blocks: " + m.dataBytes());
        }
    }

    static byte[] read(Path f, long at, int n) throws IOException {
        byte[] b = new byte[n];
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
            r.seek(at);
            r.readFully(b);
        }
        return b;
    }
}
