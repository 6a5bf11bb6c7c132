package io.imgcast.store;

import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store key: made once per store, private half owner-only, signs what its public half verifies. */
class StoreKeyTest {
    @TempDir Path tmp;
    static final byte[] SHA = new byte[32];

    @Test
    void aNewKeySignsWhatItsPublicHalfVerifies() throws Exception {
        Path file = tmp.resolve("store.key");
        byte[] pub = StoreKey.create(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        StoreKey key = new StoreKey(file, pub);
        byte[] sig = key.sign("a", ImageKind.TREE, SHA);
        assertTrue(ImageSignature.verify(key.publicKey(), "a", ImageKind.TREE, SHA, sig));
        assertFalse(ImageSignature.verify(key.publicKey(), "b", ImageKind.TREE, SHA, sig));
        byte[] other = StoreKey.create(tmp.resolve("other.key"));
        assertFalse(ImageSignature.verify(ImageSignature.publicKey(other), "a", ImageKind.TREE, SHA, sig), "each store has its own key");
    }

    @Test
    void aKeyFileWrittenBeforeSignsAsItDidThen() throws GeneralSecurityException, java.io.IOException {
        // the fixed key of ImageSignatureTest, as a store's key file and index entry
        Path file = tmp.resolve("store.key");
        Files.write(file, HexFormat.of().parseHex(
                "302e020100300506032b657004220420000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
        byte[] pub = HexFormat.of().parseHex("302a300506032b657003210003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
        byte[] sha = new byte[32];
        for (int i = 0; i < sha.length; i++) sha[i] = (byte) (0xa0 + i);
        StoreKey key = new StoreKey(file, pub);
        byte[] old = HexFormat.of().parseHex("367c39455b21538b613bcf0b5fc22cab868f8eec8eabc188f3fdc766df69cddf"
                + "6e487dd819165fbc8c5058b6d81ce9956e154944f0c870b2fba52b3313a79b03");
        assertArrayEquals(old, key.sign("debian-12 ∕ é", ImageKind.VOLUME, sha));
        assertTrue(ImageSignature.verify(key.publicKey(), "debian-12 ∕ é", ImageKind.VOLUME, sha, old));
    }

    @Test
    void anUnreadableKeyIsAClearError() throws Exception {
        Path file = tmp.resolve("store.key");
        Files.write(file, new byte[] {1, 2, 3});
        StoreException e = assertThrows(StoreException.class, () -> new StoreKey(file, new byte[] {4}).sign("a", ImageKind.TREE, SHA));
        assertTrue(e.getMessage().contains("cannot sign with the store key " + file), e.getMessage());
        e = assertThrows(StoreException.class, () -> new StoreKey(file, new byte[] {4}).publicKey());
        assertTrue(e.getMessage().contains("unreadable"), e.getMessage());
    }
}
