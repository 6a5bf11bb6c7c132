package io.imgcast.receiver;

import io.imgcast.state.DiskRule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The machine's disks as a {@link DiskRule} sees them, read from {@code ROOT/sys/block} (size in
 * 512-byte sectors, the removable flag, the serial) and the {@code ROOT/dev/disk/by-path} links.
 * A disk on USB counts as removable whatever its flag says (many USB sticks and card readers claim
 * to be fixed disks). Loop, RAM, optical and floppy devices and empty devices are left out.
 * {@code ROOT} is {@code /}, or a fake tree in tests.
 */
public final class BlockDevices {
    private BlockDevices() {}

    /** The disks under {@code root} ({@code /} for this machine). */
    public static List<DiskRule.Disk> scan(Path root) throws IOException {
        Path block = root.resolve("sys/block");
        List<DiskRule.Disk> out = new ArrayList<>();
        if (!Files.isDirectory(block)) return out;
        List<Path> devs;
        try (Stream<Path> s = Files.list(block)) {
            devs = s.sorted().toList();
        }
        for (Path d : devs) {
            String name = d.getFileName().toString();
            if (name.matches("(loop|ram|zram|sr|fd|nbd)\\d*.*")) continue;
            long sectors = number(d.resolve("size"));
            if (sectors <= 0) continue;
            List<String> byPath = byPath(root, name);
            boolean usb = byPath.stream().anyMatch(p -> p.contains("-usb-")) || realPath(d).contains("/usb");
            boolean removable = number(d.resolve("removable")) == 1 || usb;
            out.add(new DiskRule.Disk(name, sectors * 512, removable, serial(d), byPath));
        }
        return out;
    }

    private static String serial(Path dev) throws IOException {
        for (String f : new String[] {"device/serial", "serial"}) {
            Path p = dev.resolve(f);
            if (Files.isRegularFile(p)) {
                String s = Files.readString(p).trim();
                if (!s.isEmpty()) return s;
            }
        }
        return null;
    }

    private static List<String> byPath(Path root, String name) throws IOException {
        Path dir = root.resolve("dev/disk/by-path");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path link : s.sorted().toList()) {
                if (!Files.isSymbolicLink(link)) continue;
                Path target = Files.readSymbolicLink(link);
                if (target.getFileName() != null && target.getFileName().toString().equals(name)) out.add(link.getFileName().toString());
            }
        }
        return out;
    }

    private static String realPath(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toString();
        }
    }

    private static long number(Path p) {
        try {
            return Long.parseLong(Files.readString(p).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
