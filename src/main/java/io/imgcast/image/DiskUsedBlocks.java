package io.imgcast.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The used blocks of a whole disk (or disk image file) with a partition table: each partition's
 * file system is looked at on its own ({@link UsedBlocks} on a read-only loop device over the
 * partition's byte range), and only its used blocks count; the partition table, its GPT backup,
 * the gaps between partitions, MBR extended-partition headers and partitions whose file system is
 * not known are read whole, as before.
 */
final class DiskUsedBlocks {
    private DiskUsedBlocks() {}

    /** What was found in one partition: its byte range and the used ranges inside it (disk offsets), null when all of it is read. */
    record Part(int number, long start, long end, long[] used, String method) {}

    /**
     * Looks at {@code disk} ({@code size} bytes); partitions outside {@code wanted} (null: all)
     * are not looked at. Null when the disk has no partition table sfdisk can read.
     */
    static UsedBlocks.Result of(Path disk, long size, long[] wanted) {
        PartitionTable table;
        try {
            table = PartitionTable.read(disk);
        } catch (RuntimeException e) {
            return null;
        }
        if (table == null || table.partitions().isEmpty()) return null;
        List<Part> parts = new ArrayList<>();
        for (PartitionTable.Partition p : table.partitions()) {
            long start = p.start();
            long end = Math.min(size, p.end());
            if (p.container() || end <= start) continue;
            if (wanted != null && UsedBlocks.intersect(wanted, new long[] {start, end}).length == 0) continue;
            parts.add(look(disk, p.number(), start, end));
        }
        StringBuilder how = new StringBuilder(table.label()).append(" disk, table and gaps read whole");
        for (Part p : parts) how.append("; partition ").append(p.number()).append(' ').append(p.method());
        return new UsedBlocks.Result(table.label(), combine(size, parts), how.toString());
    }

    /** One partition through a read-only loop device limited to its range. */
    private static Part look(Path disk, int number, long start, long end) {
        String loop;
        try {
            loop = UsedBlocks.run(List.of("losetup", "--find", "--show", "--read-only", "--offset", Long.toString(start),
                    "--sizelimit", Long.toString(end - start), disk.toString()), 30).trim();
        } catch (IOException e) {
            return new Part(number, start, end, null, "every non-zero block (no loop device: " + e.getMessage() + ")");
        }
        try {
            UsedBlocks.Result r = UsedBlocks.of(Path.of(loop), end - start);
            return new Part(number, start, end, r.ranges() == null ? null : shift(r.ranges(), start, end), r.method());
        } finally {
            try {
                UsedBlocks.run(List.of("losetup", "-d", loop), 30);
            } catch (IOException e) {
                System.err.println("imgcast: could not detach " + loop + ": " + e.getMessage());
            }
        }
    }

    /** {@code ranges} of a partition moved to disk offsets, rounded out to {@link UsedBlocks#ALIGN} but kept inside the partition. */
    static long[] shift(long[] ranges, long start, long end) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            long s = Math.max(start, start + ranges[i] - (start + ranges[i]) % UsedBlocks.ALIGN);
            long e = start + ranges[i + 1];
            e = Math.min(end, e % UsedBlocks.ALIGN == 0 ? e : e + UsedBlocks.ALIGN - e % UsedBlocks.ALIGN);
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

    /**
     * The disk's used ranges: everything, except inside each partition whose used blocks are
     * known, where only those count. Partitions that overlap another keep all their bytes (a
     * table sfdisk accepts has none; this keeps a broken one safe).
     */
    static long[] combine(long size, List<Part> parts) {
        List<Long> out = new ArrayList<>();
        long at = 0;
        List<Part> sorted = new ArrayList<>(parts);
        sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
        for (int k = 0; k < sorted.size(); k++) {
            Part p = sorted.get(k);
            boolean overlaps = (k > 0 && sorted.get(k - 1).end() > p.start())
                    || (k + 1 < sorted.size() && sorted.get(k + 1).start() < p.end());
            if (p.used() == null || overlaps) continue;
            add(out, at, p.start());
            for (int i = 0; i < p.used().length; i += 2) add(out, p.used()[i], p.used()[i + 1]);
            at = p.end();
        }
        add(out, at, size);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static void add(List<Long> out, long s, long e) {
        if (e <= s) return;
        if (!out.isEmpty() && s <= out.getLast()) {
            out.set(out.size() - 1, Math.max(out.getLast(), e));
        } else {
            out.add(s);
            out.add(e);
        }
    }
}
