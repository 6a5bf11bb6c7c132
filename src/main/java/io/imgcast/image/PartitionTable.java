package io.imgcast.image;

import com.fasterxml.jackson.jr.ob.JSON;
import io.imgcast.store.StoreException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A disk's partition table (MBR "dos" or GPT) as {@code sfdisk --json} reads it, used to send
 * a whole disk or only some of its partitions (P3): the table, the gaps and the selected
 * partitions travel, the other partitions become holes.
 */
public record PartitionTable(String label, int sectorSize, List<Partition> partitions) {
    /** One partition: its number (1-based, as in /dev/sdX1), byte range and type. */
    public record Partition(int number, long start, long size, String type) {
        public long end() { return start + size; }

        /** An MBR extended partition: a container of logical partitions, not data of its own. */
        boolean container() {
            String t = type.toLowerCase();
            return t.equals("5") || t.equals("f") || t.equals("85");
        }
    }

    /** Reads the table of {@code disk} (a file or device); null when it has none. */
    public static PartitionTable read(Path disk) {
        Process p;
        try {
            p = new ProcessBuilder("sfdisk", "--json", disk.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new StoreException("cannot run sfdisk to read the partition table of " + disk
                    + " (install util-linux's fdisk package): " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new StoreException("sfdisk did not finish reading " + disk);
            }
            if (p.exitValue() != 0 || out.length == 0) {
                String e = new String(err, StandardCharsets.UTF_8).trim();
                if (e.contains("does not contain a recognized partition table") || out.length == 0) return null;
                throw new StoreException("sfdisk cannot read the partition table of " + disk + ": " + e);
            }
            return parse(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreException("cannot read the partition table of " + disk + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while reading the partition table of " + disk);
        }
    }

    /** Parses {@code sfdisk --json} output. */
    @SuppressWarnings("unchecked")
    public static PartitionTable parse(String json) {
        try {
            Map<String, Object> root = JSON.std.mapFrom(json);
            Map<String, Object> t = (Map<String, Object>) root.get("partitiontable");
            if (t == null) throw new StoreException("sfdisk output has no partitiontable");
            int ss = t.get("sectorsize") instanceof Number n ? n.intValue() : 512;
            List<Partition> parts = new ArrayList<>();
            Object list = t.get("partitions");
            if (list instanceof List<?> l) {
                for (Object o : l) {
                    Map<String, Object> m = (Map<String, Object>) o;
                    String node = String.valueOf(m.get("node"));
                    int num = Integer.parseInt(node.replaceAll("^.*?(\\d+)$", "$1"));
                    long start = ((Number) m.get("start")).longValue() * ss;
                    long size = ((Number) m.get("size")).longValue() * ss;
                    parts.add(new Partition(num, start, size, String.valueOf(m.getOrDefault("type", ""))));
                }
            }
            return new PartitionTable(String.valueOf(t.get("label")), ss, List.copyOf(parts));
        } catch (IOException | RuntimeException e) {
            if (e instanceof StoreException se) throw se;
            throw new StoreException("cannot understand sfdisk's description of the partition table: " + e.getMessage(), e);
        }
    }

    public Partition partition(int number) {
        for (Partition p : partitions) if (p.number() == number) return p;
        throw new StoreException("the disk has no partition " + number + " (it has " + numbers() + ")");
    }

    private String numbers() {
        return partitions.stream().map(p -> String.valueOf(p.number())).toList().toString();
    }

    /**
     * The byte ranges to read when sending only {@code selected} partitions of a disk of
     * {@code diskSize} bytes, as sorted {@code [start, end)} pairs: the selected partitions only,
     * or with {@code withTable} everything except the other partitions (so the table, its GPT
     * backup, boot gaps and MBR logical-partition headers travel too).
     */
    public long[] keepRanges(Set<Integer> selected, long diskSize, boolean withTable) {
        if (withTable) return keepRanges(selected, diskSize);
        for (int n : selected) partition(n);
        List<Long> out = new ArrayList<>();
        List<Partition> byStart = new ArrayList<>(partitions);
        byStart.sort((a, b) -> Long.compare(a.start(), b.start()));
        for (Partition p : byStart) {
            if (!selected.contains(p.number()) || p.container() || p.start() >= diskSize) continue;
            out.add(p.start());
            out.add(Math.min(diskSize, p.end()));
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** Everything except the partitions not in {@code selected} (see {@link #keepRanges(Set, long, boolean)}). */
    public long[] keepRanges(Set<Integer> selected, long diskSize) {
        for (int n : selected) partition(n);
        TreeSet<long[]> skip = new TreeSet<>((a, b) -> Long.compare(a[0], b[0]));
        for (Partition p : partitions) {
            if (!selected.contains(p.number()) && !p.container()) skip.add(new long[] {p.start(), Math.min(diskSize, p.end())});
        }
        List<Long> out = new ArrayList<>();
        long at = 0;
        for (long[] s : skip) {
            if (s[0] > at) {
                out.add(at);
                out.add(s[0]);
            }
            at = Math.max(at, s[1]);
        }
        if (at < diskSize) {
            out.add(at);
            out.add(diskSize);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** One line for the announcement's layout ("geometry"): label and partitions (number:start+size in sectors). */
    public String layout() {
        StringBuilder sb = new StringBuilder(label).append(' ').append(sectorSize).append('B');
        for (Partition p : partitions) {
            sb.append(' ').append(p.number()).append(':').append(p.start() / sectorSize).append('+').append(p.size() / sectorSize);
        }
        return sb.toString();
    }

    /**
     * The partitions of an announced {@link #layout()} line ("gpt 512B 1:2048+40960 ..."); null
     * when it names none. Whatever follows the partitions (" sending 1") is ignored.
     */
    public static PartitionTable parseLayout(String layout) {
        if (layout == null || layout.isBlank()) return null;
        String[] w = layout.trim().split("\\s+");
        if (w.length < 2 || !w[1].matches("\\d+B")) return null;
        int ss = Integer.parseInt(w[1].substring(0, w[1].length() - 1));
        List<Partition> parts = new ArrayList<>();
        for (int i = 2; i < w.length && w[i].matches("\\d+:\\d+\\+\\d+"); i++) {
            String[] a = w[i].split("[:+]");
            parts.add(new Partition(Integer.parseInt(a[0]), Long.parseLong(a[1]) * ss, Long.parseLong(a[2]) * ss, ""));
        }
        return parts.isEmpty() ? null : new PartitionTable(w[0], ss, List.copyOf(parts));
    }

    /** Parses a --partitions list such as "1,3". */
    public static Set<Integer> parseList(String s) {
        Set<Integer> out = new TreeSet<>();
        for (String part : s.split(",")) {
            try {
                int n = Integer.parseInt(part.trim());
                if (n < 1) throw new NumberFormatException();
                out.add(n);
            } catch (NumberFormatException e) {
                throw new StoreException("--partitions takes partition numbers such as 1,3; '" + part + "' is not one");
            }
        }
        return out;
    }

    /**
     * After a whole GPT disk was written to a larger target, moves the backup GPT to the target's
     * real end (sfdisk --relocate gpt-bak-std), as the larger disk "takes" the layout.
     */
    public static void relocateBackupGpt(Path target) throws IOException {
        Process p = new ProcessBuilder("sfdisk", "--relocate", "gpt-bak-std", target.toString()).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("sfdisk --relocate failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
