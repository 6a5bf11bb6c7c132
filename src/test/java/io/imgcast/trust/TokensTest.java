package io.imgcast.trust;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest {
    @Test
    void tokensAreFreshAndComparedWhole() {
        String a = Tokens.fresh();
        assertEquals(43, a.length(), "256 bits in base64url");
        assertNotEquals(a, Tokens.fresh());
        assertTrue(Tokens.same(a, a));
        assertFalse(Tokens.same(a, a.substring(1)));
        assertFalse(Tokens.same(a, null));
        assertFalse(Tokens.same(null, a));
    }

    @Test
    void theAdminTokenFileIsMadeOnceForItsOwnerOnly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("admin.token");
        String t = Tokens.adminToken(f);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(t, Tokens.adminToken(f), "kept across starts");
        assertEquals(t, Tokens.readAdminToken(f));
        Files.writeString(f, "\n");
        assertThrows(java.io.IOException.class, () -> Tokens.readAdminToken(f));
    }
}
