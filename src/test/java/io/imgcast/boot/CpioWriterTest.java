package io.imgcast.boot;

import io.imgcast.testutil.Needs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpioWriterTest {
    private static byte[] archive() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CpioWriter w = new CpioWriter(b);
        w.directory("bin", 0755);
        w.file("/bin/busybox", 0755, "abc".getBytes(StandardCharsets.US_ASCII));
        w.symlink("bin/sh", "busybox");
        byte[] big = new byte[70_001];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
        w.file("data", 0600, big.length, new ByteArrayInputStream(big));
        w.finish();
        assertEquals(b.size(), w.written());
        return b.toByteArray();
    }

    @Test
    void headersAreNewcAlignedToFourBytes() throws Exception {
        byte[] a = archive();
        String head = new String(a, 0, 110, StandardCharsets.US_ASCII);
        assertTrue(head.startsWith("070701"), head);
        assertEquals(0040755, Integer.parseInt(head.substring(14, 22), 16)); // mode of "bin"
        assertEquals(4, Integer.parseInt(head.substring(94, 102), 16));      // "bin\0"
        assertEquals(0, a.length % 4);
        assertTrue(new String(a, StandardCharsets.ISO_8859_1).contains("TRAILER!!!"));
        assertArrayEquals(a, archive(), "the same entries give the same bytes");
    }

    @Test
    void cpioReadsBackWhatWasWritten(@TempDir Path dir) throws Exception {
        Needs.tools("cpio"); // as root: fails naming the package; else skips
        Path f = dir.resolve("a.cpio");
        Files.write(f, archive());
        Path x = Files.createDirectories(dir.resolve("x"));
        Process p = new ProcessBuilder("cpio", "-idm", "--quiet", "-F", f.toString()).directory(x.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        assertEquals("abc", Files.readString(x.resolve("bin/busybox")));
        assertEquals("busybox", Files.readSymbolicLink(x.resolve("bin/sh")).toString());
        assertEquals(70_001, Files.size(x.resolve("data")));
        assertEquals((byte) (70_000 * 31), Files.readAllBytes(x.resolve("data"))[70_000]);
    }
}
