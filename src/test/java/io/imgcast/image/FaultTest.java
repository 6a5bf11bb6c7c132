package io.imgcast.image;

import io.imgcast.store.Store;
import io.imgcast.store.StoreException;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.StoreState;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.imgcast.image.TreeRoundTripTest.meta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC S3 and the principles: read errors are retried then reported; bad targets get clear refusals. */
class FaultTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;
    Path src;
    Path storeDir;
    TreeCapture.Opener original;

    @BeforeEach
    void setUp() {
        original = TreeCapture.opener;
        src = tmp.resolve("src");
        TreeGen.plain(src, 2, 2 * (int) MiB);
        // enough text for the first capture to train the store's dictionary: later captures then
        // store new chunks as they come (while a store has none, each capture trains one and keeps
        // new chunks aside until it is ready; whether a chunk was kept aside depended on which
        // thread came first, and a reader held in a failing open never sent the chunk that writes them)
        for (int i = 0; i < 8; i++) TreeGen.textFile(src.resolve("docs/dict-sample-" + i + ".txt"), 64 * 1024, 60 + i);
        storeDir = tmp.resolve("store");
        try (Store s = Store.open(storeDir)) {
            Capture.run(s, src, false, meta("first"), CaptureOptions.defaults());
            assertTrue(s.dictionary() != null, "the first capture trained the store's dictionary");
        }
    }

    @AfterEach
    void restore() {
        TreeCapture.opener = original;
    }

    private static FileChannel open(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.READ);
    }

    @Test
    void unreadableFileIsRetriedThenReportedAndTheStoreIsUnchanged() throws Exception {
        Path victim = src.resolve("docs/sub dir/blob.bin");
        // new data read before the victim: its chunks reach a new pack before the failure, so there is something to undo
        TreeGen.randomFile(src.resolve("aaa-new.bin"), MiB, 9);
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger packsSeen = new AtomicInteger();
        TreeCapture.opener = p -> {
            if (p.equals(victim)) {
                if (attempts.incrementAndGet() == 3) {
                    // the workers store asynchronously: a bounded wait for them to reach the pack
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (StoreState.of(storeDir).unlistedPackFiles().isEmpty() && System.nanoTime() < deadline) {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException ie) {
                            throw new IOException(ie);
                        }
                    }
                    packsSeen.set(StoreState.of(storeDir).unlistedPackFiles().size());
                }
                throw new IOException("Input/output error (injected)");
            }
            return open(p);
        };
        StoreState before = StoreState.of(storeDir);
        try (Store s = Store.open(storeDir)) {
            CaptureException e = assertThrows(CaptureException.class,
                    () -> Capture.run(s, src, false, meta("second"), CaptureOptions.defaults()));
            assertEquals(3, attempts.get(), "bounded retries (the default is 3 attempts)");
            assertTrue(e.getMessage().contains(victim.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("Input/output error (injected)"), e.getMessage());
            assertTrue(e.getMessage().contains("3 attempts"), e.getMessage());
            assertEquals(1, packsSeen.get(), "new chunks had been written to a new pack before the failure");
        }
        assertEquals(before, StoreState.of(storeDir), "the store is unchanged");
        // and through the CLI: exit 1 with the same clear message
        attempts.set(0);
        Cli.Result r = Cli.run("capture", src, "--name", "third", "--store", storeDir, "-q");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot read " + victim) && r.err().contains("injected"), r.err());
        assertEquals(3, attempts.get());
        assertEquals(before, StoreState.of(storeDir));
    }

    @Test
    void transientErrorsAreRetriedAndTheResultIsExact() {
        Path big = src.resolve("big.bin");
        Path blob = src.resolve("docs/sub dir/blob.bin");
        AtomicInteger bigOpens = new AtomicInteger();
        AtomicInteger blobOpens = new AtomicInteger();
        TreeCapture.opener = p -> {
            if (p.equals(big) && bigOpens.incrementAndGet() == 1) return new FailingChannel(open(p), 700_000); // dies mid-file
            if (p.equals(blob) && blobOpens.incrementAndGet() <= 2) throw new IOException("transient (injected)");
            return open(p);
        };
        Path out = tmp.resolve("out");
        try (Store s = Store.open(storeDir)) {
            Capture.run(s, src, false, meta("retried"), CaptureOptions.defaults());
            Apply.run(s, "retried", out, 2, Progress.NONE);
        }
        assertEquals(2, bigOpens.get());
        assertEquals(3, blobOpens.get());
        TreeDiff.assertSame(src, out);
    }

    @Test
    void volumeReadErrorsAbortTheCaptureAndLeaveTheStoreUnchanged() throws Exception {
        Path vol = tmp.resolve("vol.img");
        TreeGen.randomFile(vol, 8 * MiB, 5);
        TreeCapture.opener = p -> p.equals(vol) ? new FailingChannel(open(p), 3 * MiB) : open(p);
        StoreState before = StoreState.of(storeDir);
        try (Store s = Store.open(storeDir)) {
            CaptureException e = assertThrows(CaptureException.class, () -> Capture.run(s, vol, false, meta("vol"), CaptureOptions.defaults()));
            assertTrue(e.getMessage().contains(vol.toString()) && e.getMessage().contains("injected")
                    && e.getMessage().contains("attempts"), e.getMessage());
        }
        assertEquals(before, StoreState.of(storeDir));
    }

    @Test
    void applyIntoANonEmptyDirectoryIsRefused() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(target.resolve("keep.txt"), "precious");
        Cli.Result r = Cli.run("apply", "first", target, "--store", storeDir, "-q");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not empty"), r.err());
        try (var s = Files.list(target)) {
            assertEquals(List.of(target.resolve("keep.txt")), s.toList());
        }
        assertEquals("precious", Files.readString(target.resolve("keep.txt")));
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        r = Cli.run("apply", "first", file, "--store", storeDir, "-q");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a directory"), r.err());
        r = Cli.run("apply", "no-such-image", tmp.resolve("new"), "--store", storeDir, "-q");
        assertEquals(4, r.code(), "no such image");
        assertTrue(r.err().contains("no image named 'no-such-image'"), r.err());
        assertFalse(Files.exists(tmp.resolve("new")));
    }

    @Test
    void fullTargetDiskGivesAClearError() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("small-disk"));
        // many small files: less data than the free space, but each takes a whole 4 KiB page
        Path many = Files.createDirectories(tmp.resolve("many"));
        for (int i = 0; i < 700; i++) TreeGen.textFile(many.resolve("f" + i), 2000, i);
        Path vol = tmp.resolve("vol.img");
        TreeGen.randomFile(vol, 3 * MiB, 6);
        try (Store s = Store.open(storeDir)) {
            Capture.run(s, many, false, meta("many"), CaptureOptions.defaults());
            Capture.run(s, vol, false, meta("vol"), CaptureOptions.defaults());
        }
        try (AutoCloseable m = Sh.mountTmpfs(mnt, "2m")) {
            // the image is larger than the free space: refused before anything is written
            Cli.Result r = Cli.run("apply", "first", mnt.resolve("t1"), "--store", storeDir, "-q");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("not enough space"), r.err());
            assertFalse(Files.exists(mnt.resolve("t1")));
            r = Cli.run("apply", "vol", mnt.resolve("v.img"), "--store", storeDir, "-q");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("not enough space"), r.err());
            // fits by byte count, fills the disk on the way
            r = Cli.run("apply", "many", mnt.resolve("t2"), "--store", storeDir, "-q");
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().contains("is full") && r.err().contains("No space left on device"), r.err());
            assertFalse(r.err().contains("internal error"), r.err());
        }
    }

    @Test
    void fullStoreDiskAbortsTheCaptureWithoutBlamingTheSource() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("store-disk"));
        Path more = Files.createDirectories(tmp.resolve("more"));
        TreeGen.randomFile(more.resolve("huge.bin"), 12 * MiB, 12);
        try (AutoCloseable m = Sh.mountTmpfs(mnt, "4m")) {
            Path small = mnt.resolve("store");
            Cli.run("capture", src, "--name", "first", "--store", small, "-q").ok();
            StoreState before = StoreState.of(small);
            Cli.Result r = Cli.run("capture", more, "--name", "huge", "--store", small, "-q");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("No space left on device") && r.err().contains(small.toString()), r.err());
            assertFalse(r.err().contains("cannot read"), "the source is fine: " + r.err());
            assertEquals(before, StoreState.of(small), "the store is unchanged");
            assertEquals(0, Cli.run("verify", "--store", small, "-q").code());
            // a large export onto the full disk fails cleanly, leaving no partial file
            Cli.run("capture", src, "--name", "again", "--store", storeDir, "-q").ok();
            Cli.Result x = Cli.run("export", "first", mnt.resolve("first.imgcast"), "--store", storeDir, "-q");
            assertEquals(1, x.code());
            assertTrue(x.err().contains("No space left on device"), x.err());
            try (var l = Files.list(mnt)) {
                assertEquals(List.of(small), l.toList());
            }
        }
    }

    @Test
    void missingSourceAndExistingNameAreRefused() {
        try (Store s = Store.open(storeDir)) {
            StoreException e = assertThrows(StoreException.class, () -> Capture.run(s, tmp.resolve("nope"), false, meta("x"), CaptureOptions.defaults()));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
            e = assertThrows(StoreException.class, () -> Capture.run(s, src, false, meta("first"), CaptureOptions.defaults()));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        }
    }
}
