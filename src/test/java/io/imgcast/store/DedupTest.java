package io.imgcast.store;

import io.imgcast.image.Apply;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC S1/B1: data common to several images is stored once, down to parts of files. */
class DedupTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    static Ingest.ImageMeta meta(String name) {
        return new Ingest.ImageMeta(name, "", "", "test", System.currentTimeMillis());
    }

    @Test
    void editionsShareChunksAndTheSameTreeAddsNothing() {
        Path a = tmp.resolve("a");
        TreeGen.full(a, 5, 16 * (int) MiB);
        Path b = tmp.resolve("b");
        TreeGen.copy(a, b);
        TreeGen.nextEdition(b, 5);
        try (Store s = Store.open(tmp.resolve("store"))) {
            long p0 = s.packBytes();
            ImageInfo ia = Capture.run(s, a, false, meta("a"), CaptureOptions.defaults());
            long p1 = s.packBytes();
            ImageInfo again = Capture.run(s, a, false, meta("a-again"), CaptureOptions.defaults());
            long p2 = s.packBytes();
            ImageInfo ib = Capture.run(s, b, false, meta("b"), CaptureOptions.defaults());
            long p3 = s.packBytes();

            long first = p1 - p0;
            assertTrue(first > 16 * MiB, "first capture stored " + first);
            assertEquals(0, p2 - p1, "capturing the same tree again stores no data");
            assertTrue(s.storedManifest(again).blob().length < 64 * 1024, "its manifest is small");
            assertEquals(0, s.unique(ia).rawBytes(), "a and a-again share everything");
            assertEquals(ia.chunks(), again.chunks());

            long second = p3 - p2;
            assertTrue(second >= 128 * 1024, "the added 128 KiB file is stored: " + second);
            assertTrue(second < 128 * 1024 + 3 * 256 * 1024, "edition 2 added " + second + " bytes, first capture " + first);
            Store.Unique ub = s.unique(ib);
            assertTrue(ub.rawBytes() >= 128 * 1024 && ub.rawBytes() < MiB, "unique bytes of b: " + ub.rawBytes());
            assertTrue(ib.storedBytes() > 16 * MiB, "b references the shared data too");

            Apply.run(s, "b", tmp.resolve("out-b"), 2, Progress.NONE);
            Apply.run(s, "a-again", tmp.resolve("out-a"), 2, Progress.NONE);
        }
        TreeDiff.assertSame(b, tmp.resolve("out-b"));
        TreeDiff.assertSame(a, tmp.resolve("out-a"));
    }

    @Test
    void identicalFilesInOneTreeAreStoredOnce() throws Exception {
        Path t = tmp.resolve("t");
        java.nio.file.Files.createDirectories(t);
        TreeGen.randomFile(t.resolve("one"), 3 * MiB, 77);
        for (String n : new String[] {"two", "three", "four"}) java.nio.file.Files.copy(t.resolve("one"), t.resolve(n));
        try (Store s = Store.open(tmp.resolve("store"))) {
            ImageInfo i = Capture.run(s, t, false, meta("t"), CaptureOptions.defaults());
            assertEquals(12 * MiB, i.bytes());
            assertTrue(s.packBytes() < 3 * MiB + 64 * 1024, "four copies stored as one: " + s.packBytes());
        }
    }
}
