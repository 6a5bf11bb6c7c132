package io.imgcast.boot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which kernel modules the boot environment ships, and in which order {@code /init} loads them.
 * Debian's kernel package has no {@code modules.dep} (depmod makes it when the package is
 * installed), so the dependencies come from each module's own {@code .modinfo} section
 * ({@code depends=a,b}), as depmod reads them; the firmware a module may ask for comes from its
 * {@code firmware=} entries. Pure: the caller reads the files.
 */
public final class KernelModules {
    private KernelModules() {}

    /** NIC drivers of common wired Ethernet hardware, physical and virtual. */
    public static final List<String> NICS = List.of(
            "e1000", "e1000e", "igb", "igc", "ixgbe", "ixgbevf", "i40e", "ice", "e100",
            "r8169", "8139too", "tg3", "bnx2", "bnx2x", "bnxt_en", "atlantic", "alx", "atl1c", "atl1e",
            "sky2", "forcedeth", "be2net", "mlx4_en", "mlx5_core", "qede", "vmxnet3", "hv_netvsc", "ena",
            "virtio_net", "r8152", "ax88179_178a", "asix", "cdc_ether");
    /** Disk controllers, buses and disk classes a machine's system disk sits behind. */
    public static final List<String> DISKS = List.of(
            "virtio_pci", "virtio_blk", "virtio_scsi", "ahci", "ata_piix", "ata_generic", "sd_mod", "nvme",
            "megaraid_sas", "mpt3sas", "hpsa", "smartpqi", "aacraid", "vmw_pvscsi", "hv_storvsc",
            "xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd", "usb_storage", "uas", "sdhci_pci", "mmc_block");

    /** A module's name as the kernel spells it: file name without ".ko" and compression suffix, '-' as '_'. */
    public static String nameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        int ko = base.indexOf(".ko");
        if (ko < 0) throw new IllegalArgumentException("not a kernel module file name: " + path);
        return base.substring(0, ko).replace('-', '_');
    }

    /** The values of {@code key=} entries of a module's {@code .modinfo} (NUL-separated key=value strings). */
    public static List<String> modinfo(byte[] module, String key) {
        byte[] k = (key + "=").getBytes(StandardCharsets.US_ASCII);
        List<String> out = new ArrayList<>();
        for (int i = 0; i + k.length <= module.length; i++) {
            if ((i == 0 || module[i - 1] == 0) && matches(module, i, k)) {
                int end = i + k.length;
                while (end < module.length && module[end] != 0) end++;
                out.add(new String(module, i + k.length, end - i - k.length, StandardCharsets.US_ASCII));
                i = end;
            }
        }
        return out;
    }

    /** The modules a module depends on ({@code depends=}, comma-separated, maybe empty). */
    public static List<String> dependsOf(byte[] module) {
        List<String> out = new ArrayList<>();
        for (String v : modinfo(module, "depends")) {
            for (String d : v.split(",")) if (!d.isBlank()) out.add(d.trim().replace('-', '_'));
        }
        return out;
    }

    private static boolean matches(byte[] b, int at, byte[] k) {
        for (int j = 0; j < k.length; j++) if (b[at + j] != k[j]) return false;
        return true;
    }

    /**
     * The load order of {@code wanted} and everything they depend on: each module after its
     * dependencies, each once, in the order first asked for. A wanted module the kernel does not
     * have (built in, or absent) goes to {@code absent}; a missing dependency is an error, since the
     * module would not load.
     *
     * @param depends a module's dependencies by name (null: the kernel has no such module)
     */
    public static List<String> loadOrder(Collection<String> wanted, Function<String, List<String>> depends, Collection<String> absent) {
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String w : wanted) {
            String name = w.replace('-', '_');
            if (depends.apply(name) == null) {
                absent.add(name);
                continue;
            }
            visit(name, depends, order, new HashSet<>(), name);
        }
        return new ArrayList<>(order);
    }

    private static void visit(String m, Function<String, List<String>> depends, Set<String> order, Set<String> path, String root) {
        if (order.contains(m)) return;
        if (!path.add(m)) throw new IllegalArgumentException("kernel modules depend on each other in a cycle through " + m);
        List<String> deps = depends.apply(m);
        if (deps == null) throw new IllegalArgumentException("kernel module " + root + " needs " + m + ", which the kernel package lacks");
        for (String d : deps) visit(d, depends, order, path, root);
        path.remove(m);
        order.add(m);
    }

    /** Names of the firmware files a module may ask for (paths under /lib/firmware). */
    public static List<String> firmwareOf(byte[] module) {
        return modinfo(module, "firmware");
    }

    /** Convenience for tests and callers with a map: {@code depends} as a function. */
    public static Function<String, List<String>> of(Map<String, List<String>> deps) {
        return deps::get;
    }
}
