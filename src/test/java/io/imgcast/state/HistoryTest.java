package io.imgcast.state;

import io.imgcast.api.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A session's events and the settings: kept across a reopen, from a state written before the history existed. */
class HistoryTest {
    @TempDir Path dir;

    @Test
    void eventsOfASessionOutliveTheServerAndAnOldStateGainsTheTable() {
        long id;
        try (StateDb old = StateDb.open(dir, 2)) {
            id = old.newSession(List.of("lab"), "waiting");
        }
        try (StateDb db = StateDb.open(dir)) {
            assertTrue(db.versions().contains(Migrations.latest()));
            assertTrue(db.putEvent(new Event(1000, Event.Kind.SESSION_STARTED, id, null, null, null, "groups lab")));
            assertTrue(db.putEvent(new Event(2000, Event.Kind.JOINED, id, "pc1", "img", 0, "priority 0")));
            assertTrue(db.putEvent(new Event(3000, Event.Kind.FAILED, id, "pc1", "img", 1, "disk full")));
            assertTrue(db.putEvent(new Event(3500, Event.Kind.JOINED, id + 1, "pc9", "img", 0, null)));
            assertThrows(IllegalArgumentException.class, () -> db.putEvent(new Event(1, Event.Kind.JOINED, 0, "x", "y", 0, null)));
            db.putSetting("console_password", "pbkdf2-sha256$1$a$b");
        }
        try (StateDb db = StateDb.open(dir)) {
            List<Event> ev = db.events(id, 100);
            assertEquals(3, ev.size());
            assertEquals(new Event(3000, Event.Kind.FAILED, id, "pc1", "img", 1, "disk full"), ev.get(2));
            assertNull(ev.getFirst().machine());
            assertEquals(2, db.events(id, 2).size());
            assertEquals(1, db.events(id + 1, 100).size());
            assertEquals("pbkdf2-sha256$1$a$b", db.setting("console_password"));
            assertNull(db.setting("nothing"));
        }
    }

    @Test
    void aSessionKeepsABoundedNumberOfEvents() {
        try (StateDb db = StateDb.open(dir)) {
            long id = db.newSession(List.of("lab"), "running");
            for (int i = 0; i < StateDb.MAX_EVENTS_PER_SESSION; i++) {
                assertTrue(db.putEvent(new Event(i, Event.Kind.MOVED_STREAM, id, "pc", "img", 1, null)));
            }
            assertFalse(db.putEvent(new Event(0, Event.Kind.LOST, id, "pc", "img", 1, null)));
            assertEquals(StateDb.MAX_EVENTS_PER_SESSION, db.events(id, Integer.MAX_VALUE).size());
        }
    }
}
