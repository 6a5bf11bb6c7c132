package io.imgcast.cli;

import io.imgcast.testutil.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trust options' mistakes, refused before anything reaches a server. */
class TrustCliTest {
    @TempDir Path tmp;

    @Test
    void aPinShorterThanSixteenHexDigitsIsAUsageError() {
        for (String pin : new String[] {"", "a", "0123456789abcde"}) {
            Cli.Result r = Cli.run("receive", "--server", "https://127.0.0.1:1/", "--image", "x", "--target", tmp.resolve("t"),
                    "--interface", "lo", "--server-key", pin);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("at least 16 hex digits"), r.err());
        }
        Cli.Result r = Cli.run("receive", "--server", "https://127.0.0.1:1/", "--image", "x", "--target", tmp.resolve("t"),
                "--interface", "lo", "--image-key", "xyz");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("hex digits"), r.err());
    }

    @Test
    void aRelayAdmittingKnownMachinesNeedsTheList() throws Exception {
        // serve has the inventory of its state to admit by; a relay has only --known
        Cli.Result r = Cli.run("relay", "--server", "https://127.0.0.1:1/", "--interface", "lo", "--listen", "127.0.0.1:0",
                "--store", tmp.resolve("relay-store"), "--admit", "known", "--timeout", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--known"), r.err());
    }
}
