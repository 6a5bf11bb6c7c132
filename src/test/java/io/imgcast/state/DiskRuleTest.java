package io.imgcast.state;

import io.imgcast.state.DiskRule.Disk;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskRuleTest {
    private static final long GB = 1_000_000_000L;
    private static final Disk NVME = new Disk("nvme0n1", 512 * GB, false, "S4EWNX0R", List.of("pci-0000:01:00.0-nvme-1"));
    private static final Disk SATA = new Disk("sda", 256 * GB, false, "WD-123", List.of("pci-0000:00:17.0-ata-1"));
    /** A big USB disk: larger than the others, and still never "largest". */
    private static final Disk STICK = new Disk("sdb", 2000 * GB, true, "USB1", List.of("pci-0000:00:14.0-usb-0:2:1.0-scsi-0:0:0:0"));

    @Test
    void largestNeverTakesARemovableDisk() {
        assertEquals(NVME, DiskRule.parse("largest").match(List.of(STICK, SATA, NVME)).disk());
        assertEquals(NVME, DiskRule.parse(null).match(List.of(NVME, STICK)).disk(), "no rule is largest");
        DiskRule.Match m = DiskRule.parse("largest").match(List.of(STICK));
        assertNull(m.disk());
        assertTrue(m.problem().contains("no non-removable disk") && m.problem().contains("/dev/sdb"), m.problem());
    }

    @Test
    void bySizePathSerialAndDevice() {
        List<Disk> disks = List.of(NVME, SATA, STICK);
        assertEquals(SATA, DiskRule.parse("size:200GB-300GB").match(disks).disk());
        assertEquals(NVME, DiskRule.parse("size:300GB-").match(disks).disk(), "open upper end; the stick does not count");
        assertTrue(DiskRule.parse("size:-1TB").match(disks).problem().startsWith("2 disks"), "ambiguous is no match");
        assertEquals(SATA, DiskRule.parse("by-path:pci-0000:00:17.0-ata-1").match(disks).disk());
        assertEquals(SATA, DiskRule.parse("by-path:/dev/disk/by-path/pci-0000:00:17.0-ata-1").match(disks).disk());
        assertEquals(NVME, DiskRule.parse("serial:S4EWNX0R").match(disks).disk());
        assertEquals(STICK, DiskRule.parse("/dev/sdb").match(disks).disk(), "a named device is the admin's explicit word");
        assertNull(DiskRule.parse("serial:nope").match(disks).disk());
    }

    @Test
    void badRulesAreRefusedClearly() {
        for (String s : new String[] {"biggest", "size:300GB", "size:3TB-1TB", "size:2g-", "serial:", "/dev/../etc/passwd"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiskRule.parse(s), s);
            assertTrue(e.getMessage().contains(s.length() > 6 ? s.substring(0, 6) : s), e.getMessage());
        }
        assertEquals("size:1TB-", DiskRule.parse("size:1TB-").text());
    }
}
