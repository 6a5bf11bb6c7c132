package io.imgcast.image;

import io.imgcast.store.Store;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.imgcast.image.TreeRoundTripTest.meta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --read-retries: how often a volume read is tried, and the bad block named by its offset. */
class VolumeReadErrorTest {
    static final int MiB = 1 << 20;
    @TempDir Path tmp;

    private final TreeCapture.Opener original = TreeCapture.opener;

    @AfterEach
    void restore() {
        TreeCapture.opener = original;
    }

    @Test
    void aBadBlockIsReportedByOffsetAfterTheConfiguredAttempts() throws Exception {
        Path vol = tmp.resolve("vol.img");
        TreeGen.randomFile(vol, 8 * MiB, 5);
        long bad = 3L * MiB + 5 * 4096;
        AtomicInteger opens = new AtomicInteger();
        TreeCapture.opener = p -> {
            opens.incrementAndGet();
            // a disk with one unreadable 4 KiB block: every read touching it fails
            return new FailingChannel(FileChannel.open(p, StandardOpenOption.READ), Long.MAX_VALUE) {
                @Override
                public int read(java.nio.ByteBuffer dst, long position) throws java.io.IOException {
                    if (position < bad + 4096 && position + dst.remaining() > bad) throw new java.io.IOException("Input/output error (injected)");
                    return super.read(dst, position);
                }
            };
        };
        try (Store s = Store.open(tmp.resolve("store"))) {
            CaptureOptions o = CaptureOptions.defaults().withReadRetries(2).withFsAware(false);
            CaptureException e = assertThrows(CaptureException.class, () -> Capture.run(s, vol, false, meta("vol"), o));
            Matcher m = Pattern.compile("read error at byte (\\d+) after 2 attempts").matcher(e.getMessage());
            assertTrue(m.find(), e.getMessage());
            assertEquals(bad, Long.parseLong(m.group(1)), e.getMessage());
        }
        assertEquals(1, opens.get());
        assertThrows(IllegalArgumentException.class, () -> CaptureOptions.defaults().withReadRetries(0));
    }
}
