package io.imgcast.boot;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelModulesTest {
    /** A fake module: some ELF-ish bytes, then .modinfo strings separated by NUL. */
    private static byte[] module(String... modinfo) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[]{0x7f, 'E', 'L', 'F', 1, 2, 3, 0});
        b.writeBytes("xdepends=notme".getBytes(StandardCharsets.US_ASCII)); // not at a string start
        b.write(0);
        for (String s : modinfo) {
            b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            b.write(0);
        }
        return b.toByteArray();
    }

    @Test
    void readsDependsAndFirmwareFromModinfo() {
        byte[] m = module("license=GPL", "firmware=rtl_nic/a.fw", "depends=mii,libphy", "firmware=rtl_nic/b.fw", "name=r8169");
        assertEquals(List.of("mii", "libphy"), KernelModules.dependsOf(m));
        assertEquals(List.of("rtl_nic/a.fw", "rtl_nic/b.fw"), KernelModules.firmwareOf(m));
        assertEquals(List.of(), KernelModules.dependsOf(module("depends=")));
    }

    @Test
    void namesAsTheKernelSpellsThem() {
        assertEquals("usb_storage", KernelModules.nameOf("kernel/drivers/usb/storage/usb-storage.ko"));
        assertEquals("e1000e", KernelModules.nameOf("e1000e.ko.xz"));
        assertThrows(IllegalArgumentException.class, () -> KernelModules.nameOf("modules.dep"));
    }

    @Test
    void dependenciesLoadFirstEachOnce() {
        Map<String, List<String>> deps = Map.of(
                "ahci", List.of("libahci", "libata"), "libahci", List.of("libata"), "libata", List.of("scsi_mod"),
                "scsi_mod", List.of(), "sd_mod", List.of("scsi_mod", "scsi_common"), "scsi_common", List.of());
        List<String> absent = new ArrayList<>();
        List<String> order = KernelModules.loadOrder(List.of("ahci", "sd-mod", "builtin"), KernelModules.of(deps), absent);
        assertEquals(List.of("scsi_mod", "libata", "libahci", "ahci", "scsi_common", "sd_mod"), order);
        assertEquals(List.of("builtin"), absent);
    }

    @Test
    void aMissingDependencyOrACycleIsAnError() {
        var missing = assertThrows(IllegalArgumentException.class,
                () -> KernelModules.loadOrder(List.of("a"), KernelModules.of(Map.of("a", List.of("b"))), new ArrayList<>()));
        assertTrue(missing.getMessage().contains("a needs b"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelModules.loadOrder(List.of("a"),
                KernelModules.of(Map.of("a", List.of("b"), "b", List.of("a"))), new ArrayList<>()));
    }
}
