package io.imgcast.state;

import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;
import io.imgcast.trust.Admission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnownHostsTest {
    @TempDir Path dir;

    @Test
    void hostsWithAnImageOrGroupAreAdmittedRegisteredOnesAreNot() throws Exception {
        InetAddress addr = InetAddress.getByName("10.0.0.9");
        try (StateDb db = StateDb.open(dir)) {
            Inventory inv = new Inventory(db);
            Admission known = new KnownHosts(db);
            assertFalse(known.admits("52:54:00:00:00:01", addr), "an empty inventory admits no one");
            inv.addGroup(new HostGroup("lab", "base", null, null, null));
            inv.addHost(new Host("52:54:00:00:00:01", "pc1", null, "lab", null, null));
            inv.addHost(new Host("52:54:00:00:00:02", "pc2", "own", null, null, null));
            assertTrue(known.admits("52-54-00-00-00-01", addr), "a group's member, in any spelling");
            assertTrue(known.admits("525400000002", addr), "a host with its own image");
            assertFalse(known.admits("52:54:00:00:00:03", addr), "unknown");
            assertFalse(known.admits(null, addr), "no MAC given");
            assertFalse(known.admits("not-a-mac", addr), "nonsense");
            inv.setDefault("register");
            inv.assignment("52:54:00:00:00:04");
            assertTrue(db.host("52:54:00:00:00:04") != null, "registered");
            assertFalse(known.admits("52:54:00:00:00:04", addr), "asking for an assignment is not enough to be served");
            Admission both = known.or(Admission.known(Set.of("10.0.0.7")));
            assertTrue(both.admits(null, InetAddress.getByName("10.0.0.7")), "the --known list still admits");
            assertTrue(both.admits("52:54:00:00:00:01", addr));
            assertFalse(both.admits(null, addr));
        }
    }
}
