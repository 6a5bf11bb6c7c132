package io.imgcast.testutil;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guards: as root a missing tool fails with the package and the setup command; without root it skips. */
class NeedsTest {
    private static Throwable missing(Runnable r) {
        Class<? extends Throwable> expected = Needs.isRoot() ? AssertionFailedError.class : TestAbortedException.class;
        return assertThrows(expected, r::run);
    }

    @Test
    void aMissingToolNamesItsPackageAndTheSetupCommand() {
        Throwable t = missing(() -> Needs.tools("sh", "imgcast-no-such-tool", "setfattr-no-such"));
        assertTrue(t.getMessage().contains("missing imgcast-no-such-tool") && t.getMessage().contains("scripts/setup-system.sh"),
                t.getMessage());
        if (!Needs.isRoot()) assertTrue(t.getMessage().startsWith(Needs.REASON_TOOLS), t.getMessage());
        assertDoesNotThrow(() -> Needs.tools("sh", "cat"));
    }

    @Test
    void theDebianPackageIsNamedForAKnownTool() {
        Throwable t = missing(() -> Needs.missing(java.util.List.of("setfattr", "getfattr", "sfdisk")));
        assertTrue(t.getMessage().contains("missing setfattr, getfattr (Debian package attr)")
                && t.getMessage().contains("missing sfdisk (Debian package fdisk)"), t.getMessage());
    }

    @Test
    void aCommandNotFoundInAShellScriptIsReportedAsMissing() {
        Throwable t = missing(() -> Sh.bash("true; imgcast-no-such-tool --x"));
        assertTrue(t.getMessage().contains("missing imgcast-no-such-tool"), t.getMessage());
        Throwable u = missing(() -> Sh.run("imgcast-no-such-tool", "--x"));
        assertTrue(u.getMessage().contains("missing imgcast-no-such-tool"), u.getMessage());
    }

    @Test
    void aMissingLibraryNamesItsPackage() {
        Throwable t = missing(() -> Needs.library(false, "libisal2", "not found"));
        assertTrue(t.getMessage().contains("libisal2") && t.getMessage().contains("scripts/setup-system.sh"), t.getMessage());
        assertDoesNotThrow(() -> Needs.library(true, "libisal2", ""));
    }
}
