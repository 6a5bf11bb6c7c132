package io.imgcast.store;

import io.imgcast.codec.ChunkCodec;
import io.imgcast.image.Apply;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store's zstd dictionary: trained on the first image, used by every later capture, read back
 * by apply and verify, carried by export files (adopted by a store without one, re-encoded for a
 * store with another).
 */
class DictionaryStoreTest {
    @TempDir Path tmp;

    /** A tree of text and x86 code: what a dictionary is for. */
    private static Path tree(Path root, long seed) throws Exception {
        Files.createDirectories(root);
        for (int i = 0; i < 60; i++) TreeGen.textFile(root.resolve("doc-" + i + ".txt"), 2_000 + i * 1_500, seed + i);
        for (Path so : Files.list(Path.of("/usr/lib/x86_64-linux-gnu")).filter(p -> p.getFileName().toString().matches("lib(z|bz2|lzma|acl|attr)\\.so\\.[0-9.]+")).toList()) {
            Files.copy(so, root.resolve(so.getFileName()));
        }
        return root;
    }

    private static boolean usesDictionary(Store s, ImageInfo i) {
        return s.locations(i).values().stream().anyMatch(l -> ChunkCodec.needsDictionary(l.codec()));
    }

    @Test
    void theFirstCaptureTrainsTheDictionaryEveryImageUsesItAndExportCarriesIt() throws Exception {
        Path a = tree(tmp.resolve("a"), 1);
        Path b = tree(tmp.resolve("b"), 2);
        Path dir = tmp.resolve("store");
        byte[] dict;
        Path file = tmp.resolve("b.imgcast");
        try (Store s = Store.open(dir)) {
            assertNull(s.dictionary(), "a new store has none");
            ImageInfo ia = Capture.run(s, a, false, DedupTest.meta("a"), CaptureOptions.defaults());
            assertNotNull(s.dictionary(), "the first capture trained one");
            dict = s.dictionary().bytes();
            assertTrue(usesDictionary(s, ia));
            ImageInfo ib = Capture.run(s, b, false, DedupTest.meta("b"), CaptureOptions.defaults());
            assertArrayEquals(dict, s.dictionary().bytes(), "later captures keep it");
            assertTrue(usesDictionary(s, ib));
            Apply.run(s, "b", tmp.resolve("out-b"), 2, Progress.NONE);
            TreeDiff.assertSame(b, tmp.resolve("out-b"));
            assertTrue(Verifier.run(s, java.util.List.of(), 2, Progress.NONE).ok(), "every chunk checks out");
            Transfer.export(s, "b", file, Progress.NONE);
        }
        try (Store s = Store.open(dir)) {
            assertArrayEquals(dict, s.dictionary().bytes(), "kept across opens");
        }

        // a store without a dictionary adopts the file's; the chunks arrive as they were stored
        Path adopter = tmp.resolve("adopter");
        try (Store s = Store.open(adopter)) {
            Transfer.importFile(s, file, null, Progress.NONE);
            assertArrayEquals(dict, s.dictionary().bytes());
            Apply.run(s, "b", tmp.resolve("out-adopter"), 2, Progress.NONE);
            TreeDiff.assertSame(b, tmp.resolve("out-adopter"));
        }

        // a store with a dictionary of its own re-encodes the file's chunks with it
        Path other = tmp.resolve("other");
        try (Store s = Store.open(other)) {
            Capture.run(s, tree(tmp.resolve("c"), 3), false, DedupTest.meta("c"), CaptureOptions.defaults());
            byte[] own = s.dictionary().bytes();
            assertFalse(Arrays.equals(own, dict), "trained on other data");
            ImageInfo ib = Transfer.importFile(s, file, null, Progress.NONE);
            assertArrayEquals(own, s.dictionary().bytes(), "its own dictionary stays");
            assertTrue(usesDictionary(s, ib), "the imported chunks use it");
            Apply.run(s, "b", tmp.resolve("out-other"), 2, Progress.NONE);
            TreeDiff.assertSame(b, tmp.resolve("out-other"));
            assertTrue(Verifier.run(s, java.util.List.of(), 2, Progress.NONE).ok(), "every chunk checks out");
        }
    }

    @Test
    void tooLittleDataTrainsNoDictionaryAndChunksNeedNone() throws Exception {
        Path small = tmp.resolve("small");
        Files.createDirectories(small);
        TreeGen.textFile(small.resolve("one.txt"), 40_000, 5);
        try (Store s = Store.open(tmp.resolve("store"))) {
            ImageInfo i = Capture.run(s, small, false, DedupTest.meta("small"), CaptureOptions.defaults());
            assertNull(s.dictionary());
            assertFalse(usesDictionary(s, i));
        }
    }
}
