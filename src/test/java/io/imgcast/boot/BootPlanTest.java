package io.imgcast.boot;

import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;
import io.imgcast.net.McastSocket;
import io.imgcast.server.CastServer;
import io.imgcast.state.Inventory;
import io.imgcast.state.StateDb;
import io.imgcast.store.Store;
import io.imgcast.testutil.Cli;
import io.imgcast.trust.ServerTrust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which machines network boot sends into imgcast and which to their local disk (the server's
 * {@code bootPlan}, what {@code /boot.ipxe} answers), against a server on loopback that no
 * machine joins; and serve's --boot options refusing bad input before anything starts.
 */
class BootPlanTest {
    @TempDir Path dir;

    @Test
    void somethingToDoBootsImgcastElseTheLocalDisk() throws Exception {
        try (Store store = Store.open(dir.resolve("store"), true); StateDb db = StateDb.open(dir.resolve("state"))) {
            CastServer.Config cfg = new CastServer.Config("lo", McastSocket.parseGroup("239.77.9.8:9000"), 100_000_000L,
                    new InetSocketAddress("127.0.0.1", 0), 1, 15_000, 1, 30_000, 0, List.of());
            try (CastServer server = new CastServer(store, cfg, ServerTrust.open())) {
                server.enableAdmin(db);
                Inventory inv = new Inventory(db);
                inv.addHost(new Host("52:54:00:00:00:01", "pc1", "base", null, null, null));
                assertTrue(server.bootPlan("52:54:00:00:00:01").boot(), "a host with an image it has not received");
                db.bootDone("52:54:00:00:00:01", "base", false);
                CastServer.BootPlan done = server.bootPlan("52:54:00:00:00:01");
                assertFalse(done.boot(), "received: its local disk");
                assertTrue(done.why().contains("received image base"), done.why());
                inv.addHost(new Host("52:54:00:00:00:01", "pc1", "base", null, null, null));
                assertTrue(server.bootPlan("52:54:00:00:00:01").boot(), "writing the entry again deploys again");
                inv.addHost(new Host("52:54:00:00:00:01", "pc1", "other", null, null, null));
                db.bootDone("52:54:00:00:00:01", "base", false);
                assertTrue(server.bootPlan("52:54:00:00:00:01").boot(), "another image than the one received");

                inv.addGroup(new HostGroup("lab", "base", null, null, null));
                inv.addHost(new Host("52:54:00:00:00:02", "pc2", null, "lab", null, null));
                CastServer.BootPlan waiting = server.bootPlan("52:54:00:00:00:02");
                assertFalse(waiting.boot(), "a group's host waits for a session of its group");
                assertTrue(waiting.why().contains("has no session"), waiting.why());

                inv.addHost(new Host("52:54:00:00:00:03", "pc3", null, null, null, null, "capture gold", null));
                assertTrue(server.bootPlan("52:54:00:00:00:03").boot(), "a capture task");
                CastServer.BootPlan unknown = server.bootPlan("52:54:00:00:00:09");
                assertFalse(unknown.boot(), "unknown, and the server ignores unknown machines");
                inv.setDefault("menu");
                assertTrue(server.bootPlan("52:54:00:00:00:09").boot(), "unknown, and the server offers the menu");
                inv.setDefault("local-disk");
                assertFalse(server.bootPlan("52:54:00:00:00:09").boot());
                assertThrows(IllegalArgumentException.class, () -> server.bootPlan("not-a-mac"));
            }
        }
    }

    @Test
    void serveBootRefusesBadInputBeforeStarting() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Store.open(dir.resolve("store"), true).close();
        Cli.Result noFiles = Cli.run("serve", "--boot", "--boot-dir", empty, "--interface", "lo", "--store", dir.resolve("store"),
                "--state", dir.resolve("state"), "--listen", "127.0.0.1:0");
        assertEquals(2, noFiles.code(), noFiles.toString());
        assertTrue(noFiles.err().contains("has no vmlinuz: run imgcast boot build --out " + empty), noFiles.err());
        Cli.Result noBoot = Cli.run("serve", "--dhcp-range", "10.0.0.100,10.0.0.200", "--interface", "lo", "--store", dir.resolve("store"),
                "--state", dir.resolve("state"), "--listen", "127.0.0.1:0");
        assertEquals(2, noBoot.code(), noBoot.toString());
        assertTrue(noBoot.err().contains("go with --boot"), noBoot.err());
        Files.writeString(empty.resolve("vmlinuz"), "k");
        Files.writeString(empty.resolve("initrd.img"), "i");
        Cli.Result loopback = Cli.run("serve", "--boot", "--boot-dir", empty, "--interface", "lo", "--store", dir.resolve("store"),
                "--state", dir.resolve("state"), "--listen", "127.0.0.1:0", "--dhcp-range", "127.0.0.100,127.0.0.200");
        assertEquals(2, loopback.code(), loopback.toString());
        assertTrue(loopback.err().contains("not on the loopback interface"), "dnsmasq never answers on loopback: " + loopback.err());
    }
}
