package io.imgcast.peer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Signature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterKeyTest {
    @Test
    void aKeyFileIsPrivateLoadsToTheSamePairAndIsNeverOverwritten(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("master.key");
        KeyPair made = MasterKey.generate(f);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        KeyPair loaded = MasterKey.load(f);
        assertArrayEquals(made.getPublic().getEncoded(), loaded.getPublic().getEncoded(), "the public half follows from the file");
        assertEquals(64, MasterKey.fingerprint(loaded).length());
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(loaded.getPrivate());
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(made.getPublic());
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(sig));
        byte[] before = Files.readAllBytes(f);
        assertThrows(IOException.class, () -> MasterKey.generate(f));
        assertArrayEquals(before, Files.readAllBytes(f));
        Files.writeString(dir.resolve("junk"), "not a key");
        IOException e = assertThrows(IOException.class, () -> MasterKey.load(dir.resolve("junk")));
        assertTrue(e.getMessage().contains("imgcast keygen"), e.getMessage());
    }
}
