package io.imgcast.receiver;

import io.imgcast.state.DiskRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The disk scan over a fake /sys and /dev tree: an NVMe disk and a USB stick that claims to be fixed. */
class BlockDevicesTest {
    @TempDir Path root;

    private void disk(String name, long bytes, int removable, String serial, String byPath) throws IOException {
        Path d = Files.createDirectories(root.resolve("sys/block/" + name));
        Files.writeString(d.resolve("size"), (bytes / 512) + "\n");
        Files.writeString(d.resolve("removable"), removable + "\n");
        if (serial != null) Files.writeString(Files.createDirectories(d.resolve("device")).resolve("serial"), serial + "\n");
        if (byPath != null) {
            Path links = Files.createDirectories(root.resolve("dev/disk/by-path"));
            Files.createSymbolicLink(links.resolve(byPath), Path.of("../../" + name));
            Files.createSymbolicLink(links.resolve(byPath + "-part1"), Path.of("../../" + name + "p1"));
        }
    }

    @Test
    void aUsbStickIsRemovableWhateverItsFlagSays() throws IOException {
        disk("nvme0n1", 256L << 30, 0, "S4EW", "pci-0000:01:00.0-nvme-1");
        disk("sda", 512L << 30, 0, null, "pci-0000:00:14.0-usb-0:2:1.0-scsi-0:0:0:0");
        disk("mmcblk0", 32L << 30, 1, null, null);
        disk("loop0", 1L << 30, 0, null, null);
        disk("sr0", 0, 1, null, null);
        List<DiskRule.Disk> disks = BlockDevices.scan(root);
        assertEquals(List.of("mmcblk0", "nvme0n1", "sda"), disks.stream().map(DiskRule.Disk::name).toList(), "loop and empty left out");
        DiskRule.Disk nvme = disks.get(1);
        assertEquals(256L << 30, nvme.sizeBytes());
        assertFalse(nvme.removable());
        assertEquals("S4EW", nvme.serial());
        assertEquals(List.of("pci-0000:01:00.0-nvme-1"), nvme.byPath(), "partitions' links are not the disk's");
        assertTrue(disks.get(2).removable(), "on USB");
        assertTrue(disks.get(0).removable());
        assertEquals("nvme0n1", DiskRule.parse("largest").match(disks).disk().name(), "the larger USB disk is never the target");
    }

    @Test
    void noSysBlockIsNoDisks() throws IOException {
        assertTrue(BlockDevices.scan(root).isEmpty());
        assertTrue(DiskRule.parse("largest").match(BlockDevices.scan(root)).problem().contains("disks: none"));
    }
}
