package io.imgcast.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Which bytes of a volume its file system uses, so that a capture reads, stores and sends only
 * those ("file-system-aware" capture). The file system is recognised with {@code blkid -p}; the
 * used blocks of ext2/3/4, FAT/vfat, NTFS and XFS come from Debian's partclone in its domain-map
 * mode ({@code partclone.FS -D}: reads only the allocation bitmaps, copies nothing, writes a
 * ddrescue-style map); swap is its header page only. Anything else, or a tool that is missing or
 * fails, falls back to reading every byte (holes are then only the zero runs), and
 * {@link Result#method()} says which way it went.
 */
public final class UsedBlocks {
    private UsedBlocks() {}

    /** Ranges are rounded out to this, so reads stay page-aligned (reading a little more is always safe). */
    static final int ALIGN = 4096;

    /**
     * {@code fs}: the file system found ("" if none); {@code ranges}: sorted, disjoint
     * {@code [start, end)} pairs that are used, or null to read the whole volume;
     * {@code method}: one line for the capture's report.
     */
    public record Result(String fs, long[] ranges, String method) {
        public boolean aware() { return ranges != null; }

        public long usedBytes(long size) {
            if (ranges == null) return size;
            long t = 0;
            for (int i = 0; i < ranges.length; i += 2) t += ranges[i + 1] - ranges[i];
            return t;
        }
    }

    /** Looks at {@code src} ({@code size} bytes: a partition, a file system image or a swap area). */
    public static Result of(Path src, long size) {
        String fs;
        try {
            fs = run(List.of("blkid", "-p", "-o", "value", "-s", "TYPE", src.toString()), 30).trim().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return new Result("", null, "every non-zero block (file system not recognised: " + e.getMessage() + ")");
        }
        String tool = switch (fs) {
            case "ext2", "ext3", "ext4" -> "partclone." + fs;
            case "vfat", "msdos", "fat" -> "partclone.vfat";
            case "ntfs" -> "partclone.ntfs";
            case "xfs" -> "partclone.xfs";
            default -> null;
        };
        if (fs.equals("swap")) {
            try {
                return new Result(fs, swapHeader(src, size), "swap: header page only");
            } catch (IOException e) {
                return new Result(fs, null, "every non-zero block (swap header unreadable: " + e.getMessage() + ")");
            }
        }
        if (tool == null) {
            return new Result(fs, null, "every non-zero block (" + (fs.isEmpty() ? "no file system recognised" : "no block map for " + fs) + ")");
        }
        Path map = null;
        Path log = null;
        try {
            map = Files.createTempFile("imgcast-used", ".map");
            log = Files.createTempFile("imgcast-used", ".log");
            run(List.of(tool, "-D", "-q", "-s", src.toString(), "-O", map.toString(), "-L", log.toString()), 600);
            long[] r = parseDomainMap(Files.readString(map, StandardCharsets.US_ASCII), size);
            return new Result(fs, r, fs + ": used blocks only (" + tool + " -D)");
        } catch (IOException e) {
            return new Result(fs, null, "every non-zero block (" + fs + " block map failed: " + e.getMessage() + ")");
        } finally {
            try {
                if (map != null) Files.deleteIfExists(map);
                if (log != null) Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temporary file left behind
            }
        }
    }

    /** Swap (v1, "SWAPSPACE2"): the first page holds everything; the rest is scratch. */
    static long[] swapHeader(Path src, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(src, StandardOpenOption.READ)) {
            for (int page : new int[] {4096, 8192, 16384, 65536}) {
                if (page > size) break;
                ByteBuffer b = ByteBuffer.allocate(10);
                ch.read(b, page - 10);
                if (new String(b.array(), StandardCharsets.US_ASCII).equals("SWAPSPACE2")) return new long[] {0, page};
            }
        }
        throw new IOException("no SWAPSPACE2 signature");
    }

    /**
     * Parses a ddrescue map ("pos size status" lines; '+' is used, anything else is not; '#'
     * comments and the status line are skipped) into used ranges, rounded out to {@link #ALIGN}
     * and merged. Bytes past the map's last line (a partition larger than its file system) count
     * as used: the map says nothing about them.
     */
    static long[] parseDomainMap(String text, long size) throws IOException {
        List<long[]> used = new ArrayList<>();
        long covered = 0;
        boolean sawStatus = false;
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] f = l.split("\\s+");
            if (!sawStatus) { // the first data line is "current_pos current_status"
                sawStatus = true;
                continue;
            }
            if (f.length < 3) throw new IOException("bad block map line: " + l);
            long pos = Long.decode(f[0]);
            long len = Long.decode(f[1]);
            if (pos < 0 || len < 0 || pos < covered) throw new IOException("block map not in order at " + l);
            covered = pos + len;
            if (f[2].equals("+") && len > 0) used.add(new long[] {pos, pos + len});
        }
        if (!sawStatus) throw new IOException("empty block map");
        if (covered < size) used.add(new long[] {covered, size});
        List<Long> out = new ArrayList<>();
        for (long[] u : used) {
            long s = Math.max(0, u[0] - u[0] % ALIGN);
            long e = Math.min(size, u[1] % ALIGN == 0 ? u[1] : u[1] + ALIGN - u[1] % ALIGN);
            if (e <= s) continue;
            if (!out.isEmpty() && s <= out.getLast()) {
                out.set(out.size() - 1, Math.max(out.getLast(), e));
            } else {
                out.add(s);
                out.add(e);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** The pairs of {@code a} intersected with those of {@code b} (both sorted and disjoint; null is everything). */
    public static long[] intersect(long[] a, long[] b) {
        if (a == null) return b;
        if (b == null) return a;
        List<Long> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            long s = Math.max(a[i], b[j]);
            long e = Math.min(a[i + 1], b[j + 1]);
            if (s < e) {
                out.add(s);
                out.add(e);
            }
            if (a[i + 1] < b[j + 1]) i += 2;
            else j += 2;
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static String run(List<String> cmd, int timeoutSeconds) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(cmd.getFirst() + " is not installed");
        }
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.getFirst() + " did not finish");
            }
            String s = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String last = s.strip();
                last = last.substring(last.lastIndexOf('\n') + 1);
                throw new IOException(cmd.getFirst() + " exited with " + p.exitValue() + (last.isEmpty() ? "" : ": " + last));
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        }
    }
}
