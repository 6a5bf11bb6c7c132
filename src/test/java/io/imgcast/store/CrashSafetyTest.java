package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.image.Apply;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.image.ChunkTap;
import io.imgcast.image.HeldCapture;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.StoreState;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A capture killed with SIGKILL half-way leaves a store that works; readers never see partial
 * images. Half-way is a known point where the capture is held (its source stops delivering data),
 * never a hope that it is still running.
 */
class CrashSafetyTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    static List<String> names(List<ImageInfo> images) {
        return images.stream().map(ImageInfo::name).toList();
    }

    @SuppressWarnings("unchecked")
    static List<String> listedNames(Path store) {
        Map<String, Object> m = (Map<String, Object>) Cli.run("list", "--json", "--store", store).ok().json();
        return ((List<Map<String, Object>>) m.get("images")).stream().map(i -> (String) i.get("name")).toList();
    }

    static long unlistedBytes(Path store) throws Exception {
        StoreState s = StoreState.of(store);
        long n = 0;
        for (String f : s.unlistedPackFiles()) n += Files.size(store.resolve("packs").resolve(f));
        return n;
    }

    @Test
    void captureKilledMidWay() throws Exception {
        Path store = tmp.resolve("store");
        Path base = tmp.resolve("base");
        TreeGen.full(base, 3, 1 << 20);
        Cli.run("capture", base, "--name", "base", "--store", store, "-q").ok();
        StoreState before = StoreState.of(store);

        // files are read one after another in name order: a-0 and a-1 whole, then z-held stops
        // after 1 MiB and stays there (HeldCapture) until the capture is killed
        Path big = Files.createDirectories(tmp.resolve("big"));
        for (int i = 0; i < 2; i++) TreeGen.randomFile(big.resolve("a-" + i), 4 * MiB, 100 + i);
        Path held = big.resolve("z-held");
        TreeGen.randomFile(held, 4 * MiB, 102);
        Path log = tmp.resolve("capture.log");
        Process p = Cli.startMain(HeldCapture.class.getName(), List.of(), log, held, MiB,
                "capture", big, "--name", "victim", "--store", store, "-q");
        try {
            // bounded wait (not a timing hope): the held capture cannot end, it only gets there
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log).contains("held: ") || unlistedBytes(store) < 2 * MiB) {
                if (!p.isAlive()) fail("capture ended (exit " + p.exitValue() + ") before it was held: " + Files.readString(log));
                if (System.nanoTime() > deadline) fail("capture was not held with pack data written within 120 s: " + Files.readString(log));
                Thread.sleep(20);
            }
            // while it runs, another process's view: only committed images, and they apply
            try (Store r = Store.open(store, false)) {
                assertEquals(List.of("base"), names(r.images()));
                Apply.run(r, "base", tmp.resolve("during"), 2, Progress.NONE);
            }
            assertEquals(List.of("base"), listedNames(store));
            // one mutator at a time: a second capture gives up with a clear message (after 1 s here)
            Path log2 = tmp.resolve("second.log");
            Process second = Cli.start(List.of("-Dimgcast.lockWaitSeconds=1"), log2, "capture", base, "--name", "second", "--store", store, "-q");
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, second.exitValue(), Files.readString(log2));
            assertTrue(Files.readString(log2).contains("another capture, import, delete or gc is running"), Files.readString(log2));
            assertTrue(p.isAlive(), "the held capture is still running when killed: " + Files.readString(log));
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        TreeDiff.assertSame(base, tmp.resolve("during"));

        StoreState after = StoreState.of(store);
        Set<String> leftovers = after.unlistedPackFiles();
        assertFalse(leftovers.isEmpty(), "the killed capture left pack data behind");
        assertEquals(before.images(), after.images());
        assertEquals(before.listedPacks(), after.listedPacks());
        assertEquals(before.chunkRows(), after.chunkRows());

        assertEquals(List.of("base"), listedNames(store), "no partial image is listed");
        assertEquals(0, Cli.run("verify", "--store", store, "-q").code(), "verify passes after the crash");
        Cli.run("apply", "base", tmp.resolve("after-crash"), "--store", store, "-q").ok();
        TreeDiff.assertSame(base, tmp.resolve("after-crash"));

        // the next capture succeeds and removes the leftovers
        Path next = tmp.resolve("next");
        TreeGen.plain(next, 4, 300_000);
        Cli.run("capture", next, "--name", "next", "--store", store, "-q").ok();
        StoreState tidy = StoreState.of(store);
        assertEquals(Set.of(), tidy.unlistedPackFiles(), "no unlisted pack files remain");
        for (String f : leftovers) assertFalse(tidy.packFiles().containsKey(f), f + " was removed");
        assertEquals(List.of("base", "next"), listedNames(store));
        assertEquals(0, Cli.run("verify", "--store", store, "-q").code());
        Cli.run("apply", "next", tmp.resolve("next-out"), "--store", store, "-q").ok();
        TreeDiff.assertSame(next, tmp.resolve("next-out"));
    }

    /** In one JVM: while a capture is half-way (held inside its chunk tap), readers see and use only committed images. */
    @Test
    void concurrentReaderSeesOnlyCommittedImages() throws Exception {
        Path storeDir = tmp.resolve("store");
        Path base = tmp.resolve("base");
        TreeGen.plain(base, 8, 500_000);
        Path big = tmp.resolve("big");
        TreeGen.plain(big, 9, 4 * (int) MiB);
        CountDownLatch halfway = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger();
        ChunkTap tap = (ChunkId id, byte[] data, int len, boolean isNew) -> {
            if (seen.incrementAndGet() == 20) {
                halfway.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (Store writer = Store.open(storeDir); Store reader = Store.open(storeDir, false)) {
            Capture.run(writer, base, false, DedupTest.meta("base"), CaptureOptions.defaults());
            CaptureOptions o = new CaptureOptions(3, 2, 3, Progress.NONE, tap);
            CompletableFuture<ImageInfo> running = CompletableFuture.supplyAsync(
                    () -> Capture.run(writer, big, false, DedupTest.meta("big"), o));
            assertTrue(halfway.await(60, TimeUnit.SECONDS), "capture reached its 20th chunk");
            try {
                assertEquals(List.of("base"), names(reader.images()));
                assertTrue(reader.find("big").isEmpty());
                assertTrue(StoreState.of(storeDir).unlistedPackFiles().size() <= 1);
                Apply.run(reader, "base", tmp.resolve("during"), 2, Progress.NONE);
                assertTrue(Verifier.run(reader, List.of(), 2, Progress.NONE).ok());
            } finally {
                release.countDown();
            }
            ImageInfo done = running.get(120, TimeUnit.SECONDS);
            assertEquals("big", done.name());
            assertEquals(List.of("base", "big"), names(reader.images()));
            Apply.run(reader, "big", tmp.resolve("big-out"), 2, Progress.NONE);
        }
        TreeDiff.assertSame(base, tmp.resolve("during"));
        TreeDiff.assertSame(big, tmp.resolve("big-out"));
    }
}
