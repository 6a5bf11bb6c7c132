package io.imgcast.peer;

import io.imgcast.testutil.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A receiver's check of its target against what a master announces (P2), before it joins. */
class CompatibilityTest {
    private static Announce of(String kind, long total, long data) {
        return new Announce(Announce.ANNOUNCE, 1, 8471, "img", kind, total, data, data / 2, 10, "", Phase.READY, 0, 1, "", "");
    }

    @Test
    void treesNeedADirectoryAndVolumesADeviceOrFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Path sub = Files.createDirectory(dir.resolve("d"));
        assertNull(PeerReceiver.incompatibility(of("TREE", 0, 100), sub));
        assertNull(PeerReceiver.incompatibility(of("TREE", 0, 100), dir.resolve("new")));
        assertTrue(PeerReceiver.incompatibility(of("TREE", 0, 100), file).contains("not a directory"));
        assertTrue(PeerReceiver.incompatibility(of("VOLUME", 1 << 20, 4096), sub).contains("is a directory"));
        assertNull(PeerReceiver.incompatibility(of("VOLUME", 1 << 20, 4096), file));
        assertNull(PeerReceiver.incompatibility(of("VOLUME", 1 << 20, 4096), dir.resolve("new.img")));
        assertTrue(PeerReceiver.incompatibility(of("NEW-KIND", 1, 1), file).contains("unknown kind"));
    }

    @Test
    void aFileTargetNeedsRoomForTheData(@TempDir Path dir) {
        long huge = 1L << 50; // more than any file system here
        String why = PeerReceiver.incompatibility(of("VOLUME", huge, huge), dir.resolve("disk.img"));
        assertTrue(why != null && why.contains("free"), why);
    }

    @Test
    void aDeviceMustBeAsLargeAsTheImage(@TempDir Path dir) {
        Path small = dir.resolve("small");
        Sh.run("truncate", "-s", "4M", small.toString()).ok();
        try (Sh.Loop dev = Sh.Loop.attach(small)) {
            String why = PeerReceiver.incompatibility(of("VOLUME", 8L << 20, 1 << 20), dev.device());
            assertTrue(why != null && why.contains("holds 4.0 MiB") && why.contains("needs 8.0 MiB"), why);
            assertNull(PeerReceiver.incompatibility(of("VOLUME", 4L << 20, 1 << 20), dev.device()));
        }
    }
}
