package io.imgcast.cli;

import io.imgcast.console.Console;
import io.imgcast.state.StateDb;
import io.imgcast.testutil.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code imgcast console passwd}: the password goes into the state hashed; a short one or a bad action is a usage error. */
class ConsoleCommandTest {
    @TempDir Path dir;

    @Test
    void passwdStoresTheHashOnly() throws Exception {
        Path st = dir.resolve("state");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "a long enough password\nsecond line ignored\n");
        String out = Cli.run("console", "passwd", "--password-file", pw, "--state", st).ok().out();
        assertTrue(out.contains("console password set"), out);
        try (StateDb db = StateDb.open(st)) {
            String stored = db.setting(Console.PASSWORD_SETTING);
            assertTrue(stored.startsWith("pbkdf2-sha256$600000$"), stored);
            assertFalse(stored.contains("long enough"));
        }
        assertTrue(Files.readString(st.resolve(StateDb.FILE), java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("long enough") < 0,
                "not in the database file in clear");

        Files.writeString(pw, "short\n");
        Cli.Result r = Cli.run("console", "passwd", "--password-file", pw, "--state", dir.resolve("other"));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("at least 8 characters"), r.err());
        try (StateDb db = StateDb.open(dir.resolve("other"))) {
            assertNull(db.setting(Console.PASSWORD_SETTING));
        }
        assertEquals(2, Cli.run("console", "reset", "--state", st).code());
        assertEquals(2, Cli.run("console", "passwd", "--password-file", dir.resolve("missing"), "--state", st).code());
    }
}
