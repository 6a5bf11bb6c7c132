package io.imgcast.receiver;

import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.testutil.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A volume target: fresh targets are not scanned; selected partitions are the only bytes written. */
class VolumeTargetTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static void writeAt(Path f, long at, byte[] b) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.seek(at);
            r.write(b);
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

    /** One extent of one chunk holding {@code data} at {@code at}. */
    static Extent extent(long at, byte[] data) {
        ChunkList.Builder b = new ChunkList.Builder();
        b.add(ChunkId.hash(data, 0, data.length), data.length);
        return new Extent(at, data.length, b.build());
    }

    @Test
    void aFreshTargetIsNotScannedForDataInPlace() throws IOException {
        byte[] data = random(65536, 1);
        Manifest m = Manifest.volume(MiB, List.of(extent(4096, data)));
        Path f = tmp.resolve("vol");
        writeAt(f, 0, new byte[(int) MiB]);
        writeAt(f, 4096, data); // the image is already there
        try (VolumeTarget t = new VolumeTarget(m, f)) {
            assertEquals(Set.of(), t.prepare(), "a delta scan finds it");
        }
        try (VolumeTarget t = new VolumeTarget(m, f).fresh(true)) {
            assertEquals(m.distinctChunks().keySet(), t.prepare(), "a fresh target is not read");
            t.write(m.extents().getFirst().chunks().id(0), data, data.length);
            t.finish();
            assertNull(t.verify());
        }
    }

    /** A 64 MiB disk with partitions 1 at 1-17 MiB, 2 at 17-33 MiB ({@code p2Sectors} long), 3 after it. */
    Path disk(String name, int p2Sectors) throws IOException {
        Path d = tmp.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(d.toFile(), "rw")) {
            r.setLength(64 * MiB);
        }
        Sh.bash("printf 'label: dos\\nstart=2048, size=32768\\nstart=34816, size=" + p2Sectors + "\\nstart=67584, size=61440\\n' | sfdisk -q "
                + Sh.q(d)).ok();
        return d;
    }

    @Test
    void onlyTheSelectedPartitionIsWritten() throws IOException {
        Path d = disk("disk", 32768);
        byte[] marker1 = random(4096, 11);
        byte[] marker3 = random(4096, 13);
        writeAt(d, 2 * MiB, marker1);
        writeAt(d, 40 * MiB, marker3);
        writeAt(d, 20 * MiB, random(4096, 14)); // old bytes in a zero hole of partition 2
        byte[] table = read(d, 0, 512);
        // a whole-disk image: data in partitions 1, 2 and 3; a zero hole at 20 MiB
        byte[] d1 = random(65536, 21);
        byte[] d2 = random(65536, 22);
        byte[] d3 = random(65536, 23);
        Manifest m = Manifest.volume(64 * MiB, List.of(extent(0, random(512, 20)), extent(2 * MiB, d1), extent(17 * MiB, d2), extent(40 * MiB, d3)),
                List.of(new Span(50 * MiB, 4 * MiB)));
        try (VolumeTarget t = new VolumeTarget(m, d).with(new TargetOptions(true, Set.of(2)))) {
            Set<ChunkId> lacking = t.prepare();
            assertEquals(4, lacking.size());
            for (Extent x : m.extents()) {
                byte[] b = x.offset() == 0 ? random(512, 20) : x.offset() == 2 * MiB ? d1 : x.offset() == 17 * MiB ? d2 : d3;
                t.write(x.chunks().id(0), b, b.length);
            }
            t.finish();
            assertNull(t.verify());
        }
        assertArrayEquals(table, read(d, 0, 512), "the table stays");
        assertArrayEquals(marker1, read(d, 2 * MiB, 4096), "partition 1 stays");
        assertArrayEquals(marker3, read(d, 40 * MiB, 4096), "partition 3 stays");
        assertArrayEquals(d2, read(d, 17 * MiB, 65536), "partition 2 is the image's");
        assertArrayEquals(new byte[4096], read(d, 20 * MiB, 4096), "a zero hole in partition 2 is zeroed");
    }

    @Test
    void aSmallerPartitionIsRefused() throws IOException {
        Path d = disk("small", 2048); // partition 2 is 1 MiB here
        Manifest m = Manifest.volume(64 * MiB, List.of(extent(17 * MiB + 1024 * 1024 - 4096, random(65536, 31))));
        try (VolumeTarget t = new VolumeTarget(m, d).with(new TargetOptions(true, Set.of(2)))) {
            IOException e = assertThrows(IOException.class, t::prepare);
            assertTrue(e.getMessage().contains("smaller than the image"), e.getMessage());
        }
    }

    @Test
    void aTargetWithoutTheSelectedPartitionIsRefused() throws IOException {
        Path d = disk("nopart", 32768);
        Manifest m = Manifest.volume(64 * MiB, List.of(extent(17 * MiB, random(4096, 41))));
        try (VolumeTarget t = new VolumeTarget(m, d).with(new TargetOptions(false, Set.of(5)))) {
            RuntimeException e = assertThrows(RuntimeException.class, t::prepare);
            assertTrue(e.getMessage().contains("no partition 5"), e.getMessage());
        }
    }

    @Test
    void withTheImagesLayoutAPartitionMovesToTheTargetsOwnStart() throws IOException {
        // the image: partition 2 at 17 MiB, 8 MiB long; the target's partition 2 starts at 20 MiB
        String layout = "dos 512B 1:2048+32768 2:34816+16384 sending 2";
        Path d = tmp.resolve("moved");
        try (RandomAccessFile r = new RandomAccessFile(d.toFile(), "rw")) {
            r.setLength(64 * MiB);
        }
        Sh.bash("printf 'label: dos\\nstart=2048, size=38912\\nstart=40960, size=32768\\n' | sfdisk -q " + Sh.q(d)).ok();
        byte[] marker = random(4096, 51);
        writeAt(d, 17 * MiB, marker); // inside the target's partition 1: stays
        byte[] data = random(65536, 52);
        Manifest m = Manifest.volume(64 * MiB, List.of(extent(17 * MiB + 4096, data)));
        try (VolumeTarget t = new VolumeTarget(m, d).with(new TargetOptions(true, Set.of(2), layout))) {
            t.prepare();
            t.write(m.extents().getFirst().chunks().id(0), data, data.length);
            t.finish();
            assertNull(t.verify());
        }
        assertArrayEquals(marker, read(d, 17 * MiB, 4096), "the target's partition 1 stays");
        assertArrayEquals(data, read(d, 20 * MiB + 4096, 65536), "image partition 2 at the target's partition 2");
        assertArrayEquals(new byte[4096], read(d, 20 * MiB, 4096), "its zero hole zeroed there");

        // a target partition smaller than the image's is refused before any write
        String big = "dos 512B 1:2048+32768 2:34816+65536";
        try (VolumeTarget t = new VolumeTarget(m, d).with(new TargetOptions(true, Set.of(2), big))) {
            IOException e = assertThrows(IOException.class, t::prepare);
            assertTrue(e.getMessage().contains("smaller than the image"), e.getMessage());
        }
    }
}
