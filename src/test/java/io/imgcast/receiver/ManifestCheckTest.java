package io.imgcast.receiver;

import io.imgcast.cast.SignedManifest;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a receiver accepts as an image's description, and how a live table's placements are tied to it. */
class ManifestCheckTest {
    private static final KeyPair KEY = keyPair();

    private static KeyPair keyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ChunkId id(int n) {
        byte[] b = {(byte) n, (byte) (n >> 8)};
        return ChunkId.hash(b, 0, b.length);
    }

    /** A volume of two extents: chunks 1, 2 at 0 and chunk 3 at 1 MiB. */
    private static Manifest volume() {
        return Manifest.volume(4 << 20, List.of(
                new Extent(0, 3000, new ChunkList(new ChunkId[] {id(1), id(2)}, new int[] {1000, 2000})),
                new Extent(1 << 20, 500, new ChunkList(new ChunkId[] {id(3)}, new int[] {500}))));
    }

    /** The signature a store makes: Ed25519 over name, kind and the manifest's SHA-256. */
    private static byte[] sign(String name, ImageKind kind, byte[] manifest) throws GeneralSecurityException {
        String payload = "imgcast-image-v1\n" + name + "\n" + kind.name() + "\n"
                + HexFormat.of().formatHex(ChunkId.newDigest().digest(manifest));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(KEY.getPrivate());
        s.update(payload.getBytes(StandardCharsets.UTF_8));
        return s.sign();
    }

    private static byte[] body(String signedName, byte[] manifest, byte[] dictionary) throws GeneralSecurityException {
        return new SignedManifest(ImageKind.VOLUME, sign(signedName, ImageKind.VOLUME, manifest), KEY.getPublic().getEncoded(),
                dictionary, manifest).encode();
    }

    private static String fingerprint() {
        return HexFormat.of().formatHex(ChunkId.newDigest().digest(KEY.getPublic().getEncoded()));
    }

    @Test
    void aSignedManifestIsAcceptedWithItsDictionary() throws Exception {
        byte[] m = ManifestFormat.encode(volume());
        ManifestCheck check = new ManifestCheck("disk", (String) null);
        assertNull(check.dictionary());
        Manifest got = check.manifest(body("disk", m, new byte[] {7, 7, 7, 7}), "VOLUME");
        assertEquals(ImageKind.VOLUME, got.kind());
        assertEquals(volume().extents().size(), got.extents().size());
        assertArrayEquals(new byte[] {7, 7, 7, 7}, check.dictionary().bytes(), "the image's chunks need the dictionary that came with it");
        assertNotNull(new ManifestCheck("disk", fingerprint().substring(0, 16)).manifest(body("disk", m, null), null),
                "a key whose fingerprint starts with the pinned prefix");
    }

    @Test
    void aManifestAlteredSignedForAnotherImageOrByAnotherKeyIsRefused() throws Exception {
        byte[] m = ManifestFormat.encode(volume());
        byte[] good = body("disk", m, null);
        byte[] altered = good.clone();
        altered[altered.length - 1] ^= 1;
        assertRefused("manifest signature is invalid", new ManifestCheck("disk", (String) null), altered, null);
        assertRefused("manifest signature is invalid", new ManifestCheck("other", (String) null), good, null);
        String wrongPin = (fingerprint().charAt(0) == '0' ? "1" : "0").repeat(16);
        assertRefused("is not the pinned one", new ManifestCheck("disk", wrongPin), good, null);
        assertRefused("differs from the announced one", new ManifestCheck("disk", (String) null), good, "TREE");
    }

    private static void assertRefused(String why, ManifestCheck check, byte[] body, String announcedKind) {
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> check.manifest(body, announcedKind));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void publishedPlacementsMustBeExactlyTheManifestsExtentsInOrder() {
        ManifestCheck.Placements same = new ManifestCheck.Placements();
        same.add(0, id(1), 1000);
        same.add(1000, id(2), 2000);
        same.add(1 << 20, id(3), 500);
        same.check(volume());

        ManifestCheck.Placements moved = new ManifestCheck.Placements();
        moved.add(0, id(1), 1000);
        moved.add(1000, id(2), 2000);
        moved.add((1 << 20) + 4096, id(3), 500);
        assertThrows(CorruptDataException.class, () -> moved.check(volume()), "a chunk published at another offset");

        ManifestCheck.Placements missing = new ManifestCheck.Placements();
        missing.add(0, id(1), 1000);
        missing.add(1 << 20, id(3), 500);
        assertThrows(CorruptDataException.class, () -> missing.check(volume()), "a chunk never published");
    }
}
