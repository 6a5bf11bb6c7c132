package io.imgcast.state;

import io.imgcast.api.Assignment;
import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InventoryTest {
    @TempDir Path dir;

    @Test
    void whatAMachineIsTold() {
        try (StateDb db = StateDb.open(dir)) {
            Inventory inv = new Inventory(db);
            inv.addGroup(new HostGroup("lab", "base", null, null, null));
            inv.addHost(new Host("52-54-00-00-00-01", "pc1", null, "lab", null, "REBOOT"));
            inv.addHost(new Host("52:54:00:00:00:02", "pc2", "own", "lab", "serial:X", null));
            Assignment a = inv.assignment("52:54:00:00:00:01");
            assertEquals(new Assignment("image", "52:54:00:00:00:01", "pc1", "base", "largest", "reboot", "lab", "host 'pc1' of group 'lab'"), a);
            assertEquals("own", inv.assignment("525400000002").image(), "a host's own image before its group's");
            assertEquals("serial:X", inv.assignment("525400000002").disk());
            // the group's image goes: its members without one of their own have nothing to do
            inv.addGroup(new HostGroup("lab", null, null, null, null));
            assertEquals("nothing", inv.assignment("52:54:00:00:00:01").action());
            assertThrows(IllegalArgumentException.class, () -> inv.addHost(new Host("52:54:00:00:00:03", "pc3", null, "lab", null, null)),
                    "a new host needs an image from somewhere");
            assertEquals("ignore", inv.assignment("52:54:00:00:00:09").action());
            inv.setDefault("win11");
            Assignment d = inv.assignment("52:54:00:00:00:09");
            assertEquals("win11", d.image());
            assertEquals("largest", d.disk());
            assertThrows(IllegalArgumentException.class, () -> inv.setDefault(""));
            assertThrows(IllegalArgumentException.class, () -> inv.assignment("not-a-mac"));
            assertThrows(IllegalArgumentException.class, () -> inv.addGroup(new HostGroup("g", null, 0, null, null)));
        }
    }

    @Test
    void networkBootTasks() {
        try (StateDb db = StateDb.open(dir)) {
            Inventory inv = new Inventory(db);
            inv.addHost(new Host("52:54:00:00:00:01", "pc1", "base", null, null, "reboot", "capture  gold-1 ", null));
            Assignment c = inv.assignment("52:54:00:00:00:01");
            assertEquals("capture", c.action());
            assertEquals("gold-1", c.image(), "the capture's name, trimmed");
            assertEquals("largest", c.disk());
            assertEquals("capture gold-1", db.host("52:54:00:00:00:01").task());
            // a finished capture puts the host back to deploying
            db.bootDone("52:54:00:00:00:01", "gold-1", true);
            assertEquals("image", inv.assignment("52:54:00:00:00:01").action());
            assertEquals(null, inv.assignment("52:54:00:00:00:01").fresh(), "not fresh unless asked");
            inv.addHost(new Host("52:54:00:00:00:02", "pc2", "base", null, null, null, "deploy", true));
            Assignment f = inv.assignment("52:54:00:00:00:02");
            assertEquals(Boolean.TRUE, f.fresh());
            assertEquals(null, db.host("52:54:00:00:00:02").task(), "deploy is stored as the default");
            // a capture task needs no image to deploy
            inv.addHost(new Host("52:54:00:00:00:03", "pc3", null, null, null, null, "capture new", null));
            assertThrows(IllegalArgumentException.class, () -> inv.addHost(new Host("52:54:00:00:00:04", "pc4", "base", null, null, null, "capture", null)));
            assertThrows(IllegalArgumentException.class, () -> inv.addHost(new Host("52:54:00:00:00:04", "pc4", "base", null, null, null, "wipe", null)));
            assertThrows(IllegalArgumentException.class, () -> inv.addHost(new Host("52:54:00:00:00:04", "pc4", "base", null, null, null, "capture a/b", null)));
            // what network boot deployed is forgotten when the entry is written again
            db.bootDone("52:54:00:00:00:02", "base", false);
            assertEquals("base", db.bootedDone("52:54:00:00:00:02"));
            inv.addHost(new Host("52:54:00:00:00:02", "pc2", "base", null, null, null));
            assertEquals(null, db.bootedDone("52:54:00:00:00:02"));
            inv.setDefault("menu");
            assertEquals("menu", inv.assignment("52:54:00:00:00:09").action());
        }
    }
}
