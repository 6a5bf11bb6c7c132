package io.imgcast.manifest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An image signature covers exactly name, kind and manifest hash, in the bytes stores have always signed. */
class ImageSignatureTest {
    /** A fixed key (seed 00 01 … 1f), its public half, and a signature made with it before this class existed. */
    static final byte[] PRIVATE = HexFormat.of().parseHex(
            "302e020100300506032b657004220420000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final byte[] PUBLIC = HexFormat.of().parseHex(
            "302a300506032b657003210003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
    static final String NAME = "debian-12 ∕ é";
    static final byte[] SHA = new byte[32];
    static {
        for (int i = 0; i < SHA.length; i++) SHA[i] = (byte) (0xa0 + i);
    }
    /** Made by the store's signing code before it moved here (Ed25519 is deterministic: the same key and bytes give these). */
    static final byte[] OLD_SIGNATURE = HexFormat.of().parseHex("367c39455b21538b613bcf0b5fc22cab868f8eec8eabc188f3fdc766df69cddf"
            + "6e487dd819165fbc8c5058b6d81ce9956e154944f0c870b2fba52b3313a79b03");

    @Test
    void signsTheSameBytesAsStoresAlwaysHave() throws GeneralSecurityException {
        assertEquals("imgcast-image-v1\n" + NAME + "\nVOLUME\na0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
                new String(ImageSignature.payload(NAME, ImageKind.VOLUME, SHA), StandardCharsets.UTF_8));
        PrivateKey key = ImageSignature.privateKey(PRIVATE);
        assertArrayEquals(OLD_SIGNATURE, ImageSignature.sign(key, NAME, ImageKind.VOLUME, SHA));
        assertTrue(ImageSignature.verify(ImageSignature.publicKey(PUBLIC), NAME, ImageKind.VOLUME, SHA, OLD_SIGNATURE));
    }

    @Test
    void verifiesItsOwnSignature() throws GeneralSecurityException {
        KeyPair kp = ImageSignature.newKeyPair();
        byte[] sig = ImageSignature.sign(kp.getPrivate(), "a", ImageKind.TREE, SHA);
        PublicKey pub = ImageSignature.publicKey(kp.getPublic().getEncoded());
        assertTrue(ImageSignature.verify(pub, "a", ImageKind.TREE, SHA, sig));
    }

    @Test
    void refusesATamperedNameKindOrHash() throws GeneralSecurityException {
        PublicKey pub = ImageSignature.publicKey(PUBLIC);
        assertFalse(ImageSignature.verify(pub, NAME + "x", ImageKind.VOLUME, SHA, OLD_SIGNATURE), "other name");
        assertFalse(ImageSignature.verify(pub, NAME, ImageKind.TREE, SHA, OLD_SIGNATURE), "other kind");
        byte[] sha = SHA.clone();
        sha[31] ^= 1;
        assertFalse(ImageSignature.verify(pub, NAME, ImageKind.VOLUME, sha, OLD_SIGNATURE), "other manifest");
        byte[] sig = OLD_SIGNATURE.clone();
        sig[5] ^= 1;
        assertFalse(ImageSignature.verify(pub, NAME, ImageKind.VOLUME, SHA, sig), "altered signature");
        assertFalse(ImageSignature.verify(pub, NAME, ImageKind.VOLUME, SHA, Arrays.copyOf(OLD_SIGNATURE, 10)), "truncated signature");
    }

    @Test
    void refusesAnotherKeysSignature() throws GeneralSecurityException {
        KeyPair other = ImageSignature.newKeyPair();
        byte[] sig = ImageSignature.sign(other.getPrivate(), NAME, ImageKind.VOLUME, SHA);
        assertFalse(ImageSignature.verify(ImageSignature.publicKey(PUBLIC), NAME, ImageKind.VOLUME, SHA, sig));
    }

    @Test
    void anUnreadableKeyIsAnError() {
        assertThrows(GeneralSecurityException.class, () -> ImageSignature.publicKey(new byte[] {1, 2, 3}));
        assertThrows(GeneralSecurityException.class, () -> ImageSignature.privateKey(new byte[] {1, 2, 3}));
    }

    @Test
    void fingerprintIsTheSha256OfThePublicKeyInHex() {
        // what operators pin with --server-key: it must not change
        assertEquals("a050837d85070582ccf7394b0988847cc312cb88259b894899f6f239cf1791a5", ImageSignature.fingerprint(PUBLIC));
    }
}
