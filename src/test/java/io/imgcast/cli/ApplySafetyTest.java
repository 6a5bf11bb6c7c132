package io.imgcast.cli;

import io.imgcast.testutil.Cli;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** apply of a volume image refuses a mounted device, a file locked by another process and a file it would shrink. */
class ApplySafetyTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    /** A store holding "vol": a 16 MiB volume with data at 1 MiB. */
    Path storeWithVolume() throws Exception {
        Path vol = tmp.resolve("vol.img");
        try (RandomAccessFile r = new RandomAccessFile(vol.toFile(), "rw")) {
            r.setLength(16 * MiB);
        }
        TreeGen.randomFile(tmp.resolve("data"), MiB, 9);
        try (RandomAccessFile r = new RandomAccessFile(vol.toFile(), "rw")) {
            r.seek(MiB);
            r.write(Files.readAllBytes(tmp.resolve("data")));
        }
        Path store = tmp.resolve("store");
        Cli.run("capture", vol, "--name", "vol", "--store", store, "-q").ok();
        return store;
    }

    @Test
    void aMountedDeviceIsRefused() throws Exception {
        assumeTrue(Posix.isRoot(), "needs root (losetup, mkfs.ext4, mount); skipped as a normal user");
        Path store = storeWithVolume();
        Path backing = tmp.resolve("disk.img");
        try (RandomAccessFile r = new RandomAccessFile(backing.toFile(), "rw")) {
            r.setLength(32 * MiB);
        }
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try (Sh.Loop loop = Sh.Loop.attach(backing)) {
            Sh.run("mkfs.ext4", "-q", "-F", loop.device().toString()).ok();
            Sh.run("mount", loop.device().toString(), mnt.toString()).ok();
            try {
                Files.writeString(mnt.resolve("precious.txt"), "keep me");
                Cli.Result r = Cli.run("apply", "vol", loop.device(), "--store", store, "-q");
                assertEquals(5, r.code(), r.err());
                assertTrue(r.err().contains("in use") && r.err().contains("--force") && r.err().contains(loop.device().toString()), r.err());
                assertEquals("keep me", Files.readString(mnt.resolve("precious.txt")));
            } finally {
                Sh.run("umount", mnt.toString()).ok();
            }
            assertEquals(0, Sh.run("e2fsck", "-fn", loop.device().toString()).code(), "the file system is intact");
            // unmounted, the same device is accepted
            Cli.run("apply", "vol", loop.device(), "--store", store, "-q").ok();
            assertTrue(Sh.cmp(tmp.resolve("vol.img"), loop.device(), 16 * MiB));
        }
    }

    @Test
    void aFileLockedByAnotherProcessIsRefused() throws Exception {
        Path store = storeWithVolume();
        Path target = tmp.resolve("target.img");
        Files.write(target, new byte[(int) (16 * MiB)]);
        // another process holds a lock on the target until killed: flock(2), then a POSIX record lock (fcntl)
        String flock = "exec 9<>" + Sh.q(target) + "; flock -x 9; touch " + Sh.q(tmp.resolve("locked-flock")) + "; exec sleep 300";
        refusedWhileHeld(store, target, new ProcessBuilder("bash", "-c", flock), tmp.resolve("locked-flock"), "flock");
        refusedWhileHeld(store, target, new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                Cli.classPath(), io.imgcast.testutil.LockHolder.class.getName(), target.toString(), tmp.resolve("locked-fcntl").toString()),
                tmp.resolve("locked-fcntl"), "fcntl");
        Cli.run("apply", "vol", target, "--store", store, "-q").ok();
        assertTrue(Sh.cmp(tmp.resolve("vol.img"), target, 0));
    }

    private void refusedWhileHeld(Path store, Path target, ProcessBuilder pb, Path ready, String kind) throws Exception {
        Process holder = pb.redirectErrorStream(true).redirectOutput(tmp.resolve(kind + ".log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready)) {
                assertTrue(holder.isAlive(), kind + " holder ended early: " + Files.readString(tmp.resolve(kind + ".log")));
                assertTrue(System.nanoTime() < deadline, kind + " holder did not take the lock in 30 s");
                Thread.sleep(20);
            }
            Cli.Result r = Cli.run("apply", "vol", target, "--store", store, "-q");
            assertEquals(5, r.code(), kind + ": " + r.err());
            assertTrue(r.err().contains("locked by another process (" + kind + " lock)"), r.err());
            assertEquals(-1, allZero(target), "untouched");
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /** -1 if every byte of {@code f} is zero, else the offset of the first that is not. */
    static long allZero(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        for (int i = 0; i < b.length; i++) if (b[i] != 0) return i;
        return -1;
    }

    @Test
    void aFileTheImageWouldShrinkIsRefusedUnlessForced() throws Exception {
        Path store = storeWithVolume();
        Path target = tmp.resolve("bigger.img");
        try (RandomAccessFile r = new RandomAccessFile(target.toFile(), "rw")) {
            r.setLength(64 * MiB);
            r.seek(40 * MiB);
            r.write("data beyond the image".getBytes());
        }
        Cli.Result r = Cli.run("apply", "vol", target, "--store", store, "-q");
        assertEquals(5, r.code(), r.err());
        assertTrue(r.err().contains("shrink") && r.err().contains("--force"), r.err());
        assertEquals(64 * MiB, Files.size(target), "not truncated");
        Cli.run("apply", "vol", target, "--store", store, "-q", "--force").ok();
        assertTrue(Sh.cmp(tmp.resolve("vol.img"), target, 0), "forced: the file is the image");
        // the same size, or a new file, needs no force
        Cli.run("apply", "vol", target, "--store", store, "-q").ok();
        Cli.run("apply", "vol", tmp.resolve("new.img"), "--store", store, "-q").ok();
    }
}
