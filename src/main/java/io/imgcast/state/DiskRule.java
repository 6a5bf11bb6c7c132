package io.imgcast.state;

import io.imgcast.util.Units;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which disk of a machine gets its image, matched against the machine's {@link Disk}s. Written as:
 * <ul>
 * <li>{@code largest}: the largest non-removable disk (a USB stick or card reader never counts);
 * <li>{@code size:MIN-MAX}: the only non-removable disk with a size in that range (bytes, with
 *     units: {@code size:200GB-300GB}; either end may be left out: {@code size:1TB-});
 * <li>{@code by-path:NAME}: the disk with that {@code /dev/disk/by-path} name (or path);
 * <li>{@code serial:S}: the disk with that serial number;
 * <li>{@code /dev/NAME}: that device.
 * </ul>
 * Pure: the machine's disks come in ({@code BlockDevices} reads them from /sys/block). A rule
 * that matches nothing, or more than one disk where one is needed, says so.
 */
public sealed interface DiskRule {
    /** One disk of a machine: {@code name} as in /sys/block ({@code nvme0n1}), size in bytes, whether it is removable (or on USB). */
    record Disk(String name, long sizeBytes, boolean removable, String serial, List<String> byPath) {
        public String device() {
            return "/dev/" + name;
        }

        @Override
        public String toString() {
            return device() + " (" + Units.bytes(sizeBytes) + (removable ? ", removable" : "") + (serial != null ? ", serial " + serial : "") + ")";
        }
    }

    /** The disk chosen, or why none was. */
    record Match(Disk disk, String problem) {
        static Match of(Disk d) {
            return new Match(d, null);
        }

        static Match none(String problem) {
            return new Match(null, problem);
        }
    }

    Match match(List<Disk> disks);

    /** The rule as written. */
    String text();

    record Largest() implements DiskRule {
        @Override
        public Match match(List<Disk> disks) {
            Optional<Disk> d = disks.stream().filter(x -> !x.removable() && x.sizeBytes() > 0).max(Comparator.comparingLong(Disk::sizeBytes));
            return d.map(Match::of).orElseGet(() -> Match.none("no non-removable disk (removable ones are never chosen by 'largest'); disks: " + list(disks)));
        }

        @Override
        public String text() {
            return "largest";
        }
    }

    record Size(long min, long max, String text) implements DiskRule {
        @Override
        public Match match(List<Disk> disks) {
            List<Disk> in = disks.stream().filter(x -> !x.removable() && x.sizeBytes() >= min && x.sizeBytes() <= max).toList();
            if (in.size() == 1) return Match.of(in.getFirst());
            return Match.none((in.isEmpty() ? "no non-removable disk" : in.size() + " disks") + " with a size in " + text.substring(5) + "; disks: " + list(disks));
        }
    }

    record ByPath(String path) implements DiskRule {
        @Override
        public Match match(List<Disk> disks) {
            String name = path.startsWith("/dev/disk/by-path/") ? path.substring("/dev/disk/by-path/".length()) : path;
            return disks.stream().filter(d -> d.byPath().contains(name)).findFirst().map(Match::of)
                    .orElseGet(() -> Match.none("no disk at by-path '" + name + "'; disks: " + list(disks)));
        }

        @Override
        public String text() {
            return "by-path:" + path;
        }
    }

    record Serial(String serial) implements DiskRule {
        @Override
        public Match match(List<Disk> disks) {
            return disks.stream().filter(d -> serial.equals(d.serial())).findFirst().map(Match::of)
                    .orElseGet(() -> Match.none("no disk with serial '" + serial + "'; disks: " + list(disks)));
        }

        @Override
        public String text() {
            return "serial:" + serial;
        }
    }

    record Device(String device) implements DiskRule {
        @Override
        public Match match(List<Disk> disks) {
            return disks.stream().filter(d -> d.device().equals(device)).findFirst().map(Match::of)
                    .orElseGet(() -> Match.none("no disk " + device + "; disks: " + list(disks)));
        }

        @Override
        public String text() {
            return device;
        }
    }

    /** The rule {@code s} names (null or empty: {@code largest}); a clear {@link IllegalArgumentException} otherwise. */
    static DiskRule parse(String s) {
        if (s == null || s.isBlank() || s.equals("largest")) return new Largest();
        if (s.length() > 256) throw new IllegalArgumentException("disk rule longer than 256 characters");
        if (s.startsWith("size:")) {
            String r = s.substring(5);
            int dash = r.indexOf('-');
            if (dash < 0) throw new IllegalArgumentException("disk rule '" + s + "': write a size range as size:MIN-MAX, e.g. size:200GB-300GB or size:1TB-");
            try {
                long min = dash == 0 ? 0 : Units.parseSize(r.substring(0, dash));
                long max = dash == r.length() - 1 ? Long.MAX_VALUE : Units.parseSize(r.substring(dash + 1));
                if (min > max) throw new IllegalArgumentException("its minimum is above its maximum");
                return new Size(min, max, s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("disk rule '" + s + "': " + e.getMessage());
            }
        }
        if (s.startsWith("by-path:") && s.length() > 8) return new ByPath(s.substring(8));
        if (s.startsWith("serial:") && s.length() > 7) return new Serial(s.substring(7));
        if (s.matches("/dev/[A-Za-z0-9._/-]+") && !s.contains("..")) return new Device(s);
        throw new IllegalArgumentException("unknown disk rule '" + s + "'; use largest, size:MIN-MAX, by-path:NAME, serial:S or /dev/NAME");
    }

    private static String list(List<Disk> disks) {
        return disks.isEmpty() ? "none" : String.join(", ", disks.stream().map(Disk::toString).toList());
    }
}
