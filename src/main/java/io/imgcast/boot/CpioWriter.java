package io.imgcast.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format (magic 070701), the one the Linux kernel unpacks as
 * an initramfs: directories, regular files and symbolic links, owned by root, with fixed times
 * (the same inputs give the same bytes). Parents must be written before their children. Not
 * thread-safe; {@link #finish()} writes the trailer and does not close the stream.
 */
public final class CpioWriter {
    private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
    private final OutputStream out;
    private long written;
    private int ino = 1;

    public CpioWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String path, int mode) throws IOException {
        header(path, S_IFDIR | (mode & 07777), 0, 2);
    }

    public void symlink(String path, String target) throws IOException {
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        header(path, S_IFLNK | 0777, t.length, 1);
        write(t, t.length);
        pad();
    }

    public void file(String path, int mode, byte[] data) throws IOException {
        header(path, S_IFREG | (mode & 07777), data.length, 1);
        write(data, data.length);
        pad();
    }

    /** A regular file of {@code size} bytes read from {@code in} (which must hold exactly that many). */
    public void file(String path, int mode, long size, InputStream in) throws IOException {
        header(path, S_IFREG | (mode & 07777), size, 1);
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new IOException(path + ": the file shrank while being archived");
            write(buf, n);
            left -= n;
        }
        pad();
    }

    /** Writes the trailer entry; the archive is complete. */
    public void finish() throws IOException {
        ino = 0;
        header("TRAILER!!!", 0, 0, 1);
        out.flush();
    }

    private void header(String path, int mode, long size, int nlink) throws IOException {
        if (path.startsWith("/")) path = path.substring(1);
        if (path.isEmpty()) throw new IllegalArgumentException("empty path in the archive");
        if (size > 0xffffffffL) throw new IllegalArgumentException(path + ": over 4 GiB, too large for newc cpio");
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(110).append("070701");
        for (long v : new long[]{ino == 0 ? 0 : ino++, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, name.length, 0}) {
            h.append(String.format("%08x", v));
        }
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        write(hb, hb.length);
        write(name, name.length);
        pad();
    }

    private void write(byte[] b, int n) throws IOException {
        out.write(b, 0, n);
        written += n;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    /** Bytes written so far (uncompressed). */
    public long written() {
        return written;
    }
}
