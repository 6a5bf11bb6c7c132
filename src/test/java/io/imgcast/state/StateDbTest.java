package io.imgcast.state;

import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;
import io.imgcast.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateDbTest {
    @TempDir Path dir;

    @Test
    void anOlderSchemaUpgradesKeepingItsRows() {
        try (StateDb old = StateDb.open(dir, 1)) {
            assertEquals(List.of(1), old.versions());
        }
        // a row as version 1 wrote it (today's putHost writes the later columns)
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StateDb.FILE));
             java.sql.Statement s = c.createStatement()) {
            s.execute("INSERT INTO host(mac, name, image, created) VALUES ('52:54:00:00:00:01', 'pc1', 'win11', '2026-01-01T00:00:00Z')");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        try (StateDb db = StateDb.open(dir)) {
            assertEquals(List.of(1, 2, 3), db.versions());
            assertEquals("win11", db.host("52:54:00:00:00:01").image(), "the older version's host is kept");
            assertEquals(null, db.host("52:54:00:00:00:01").task(), "step 3: an older host deploys");
            long id = db.newSession(List.of("lab"), "waiting");
            db.putResult(id, new Session.Result("52:54:00:00:00:01", "pc1", "win11", "done", 3.5, 100L, null));
            assertEquals("done", db.session(id).machines().getFirst().state(), "the new step's tables are there");
        }
        try (StateDb again = StateDb.open(dir)) {
            assertEquals(List.of(1, 2, 3), again.versions(), "an up-to-date state is left as it is");
        }
    }

    @Test
    void hostsAndGroups() {
        try (StateDb db = StateDb.open(dir)) {
            db.putGroup(new HostGroup("lab", "bookworm", 2, 60, null));
            db.putHost(new Host("52:54:00:00:00:01", "pc1", null, "lab", "largest", "reboot"));
            db.putHost(new Host("52:54:00:00:00:02", "pc2", "other", "lab", null, null));
            assertThrows(IllegalArgumentException.class, () -> db.putHost(new Host("52:54:00:00:00:03", "pc1", "x", null, null, null)),
                    "a name belongs to one MAC");
            db.putHost(new Host("52:54:00:00:00:01", "pc1b", "img", "lab", null, null)); // same MAC: replaced
            assertEquals(2, db.hosts().size());
            assertEquals(List.of("pc1b", "pc2"), db.group("lab").members());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> db.removeGroup("lab"));
            assertTrue(e.getMessage().contains("pc1b"), e.getMessage());
            assertTrue(db.removeHost("pc1b"));
            assertTrue(db.removeHost("52:54:00:00:00:02"));
            assertFalse(db.removeHost("pc2"));
            assertTrue(db.removeGroup("lab"));
            assertNull(db.group("lab"));
            assertEquals("ignore", db.unknownDefault());
            db.setUnknownDefault("local-disk");
            assertEquals("local-disk", db.unknownDefault());
        }
    }

    @Test
    void sessionsKeepTheirMachinesResults() {
        try (StateDb db = StateDb.open(dir)) {
            long a = db.newSession(List.of("g1", "g2"), "waiting");
            long b = db.newSession(List.of("g3"), "running");
            db.updateSession(a, List.of("g1", "g2"), "cancelled", true);
            db.putResult(a, new Session.Result(null, "pc1", "img", "joining", null, null, null));
            db.putResult(a, new Session.Result(null, "pc1", "img", "failed", 1.0, 0L, "session cancelled"));
            assertEquals(List.of(b, a), db.sessions().stream().map(Session::id).toList(), "newest first");
            Session s = db.session(a);
            assertEquals("cancelled", s.state());
            assertEquals(List.of("g1", "g2"), s.groups());
            assertTrue(s.ended() != null);
            assertEquals(1, s.machines().size());
            assertEquals("session cancelled", s.machines().getFirst().error());
        }
    }
}
