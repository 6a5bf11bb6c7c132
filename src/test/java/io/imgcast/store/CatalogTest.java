package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog hands out a manifest only after checking hash, signature, structure and kind. */
class CatalogTest {
    @TempDir Path tmp;
    Index index;
    StoreKey key;
    Catalog catalog;

    @BeforeEach
    void open() throws Exception {
        byte[] pub = StoreKey.create(tmp.resolve("store.key"));
        Index.create(tmp.resolve("index.db"), pub);
        index = Index.open(tmp.resolve("index.db"));
        key = new StoreKey(tmp.resolve("store.key"), pub);
        catalog = new Catalog(tmp, index, key);
    }

    @AfterEach
    void close() {
        index.close();
    }

    static ChunkId id(int n) {
        byte[] b = ("chunk " + n).getBytes(StandardCharsets.UTF_8);
        return ChunkId.hash(b, 0, b.length);
    }

    /** A volume of the given chunks, 100 bytes each. */
    static Manifest volume(int... chunks) {
        ChunkList.Builder b = new ChunkList.Builder();
        for (int c : chunks) b.add(id(c), 100);
        return Manifest.volume(100L * chunks.length, List.of(new Extent(0, 100L * chunks.length, b.build())));
    }

    /** Adds an image as an ingest would, with the given (possibly forged) manifest fields. */
    static void add(Index index, String name, ImageKind rowKind, byte[] blob, byte[] sha, byte[] signature, int... chunks) {
        Map<ChunkId, ChunkLocation> locs = new java.util.HashMap<>();
        for (int c : chunks) locs.put(id(c), new ChunkLocation(1, 8 + 200L * c, 50, 100, (byte) 1));
        index.addImage(Map.of(1L, 10_000L), locs, new Index.ImageRow(name, rowKind, null, null, 0, null, 0, 0, 100L * chunks.length,
                chunks.length, new StoredManifest(blob, sha, signature), 50L * chunks.length), null);
    }

    static void addSigned(Index index, StoreKey key, String name, Manifest m, int... chunks) {
        byte[] blob = ManifestFormat.encode(m);
        byte[] sha = ChunkId.newDigest().digest(blob);
        add(index, name, m.kind(), blob, sha, key.sign(name, m.kind(), sha), chunks);
    }

    @Test
    void aSignedManifestIsHandedOut() {
        addSigned(index, key, "a", volume(1, 2, 3), 1, 2, 3);
        ImageInfo a = catalog.image("a");
        assertEquals(List.of(a), catalog.images());
        assertEquals(Map.of(id(1), 100, id(2), 100, id(3), 100), catalog.manifest(a).distinctChunks());
    }

    @Test
    void anAlteredManifestIsRefused() {
        byte[] blob = ManifestFormat.encode(volume(1, 2));
        byte[] sha = ChunkId.newDigest().digest(blob);
        byte[] sig = key.sign("a", ImageKind.VOLUME, sha);
        blob[blob.length - 1] ^= 1;
        add(index, "a", ImageKind.VOLUME, blob, sha, sig, 1, 2);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> catalog.manifest(catalog.image("a")));
        assertTrue(e.getMessage().contains("hash mismatch"), e.getMessage());
    }

    @Test
    void aManifestSignedByAnotherKeyOrForAnotherNameIsRefused() throws Exception {
        byte[] blob = ManifestFormat.encode(volume(1, 2));
        byte[] sha = ChunkId.newDigest().digest(blob);
        byte[] foreign = ImageSignature.sign(ImageSignature.newKeyPair().getPrivate(), "a", ImageKind.VOLUME, sha);
        add(index, "a", ImageKind.VOLUME, blob, sha, foreign, 1, 2);
        add(index, "b", ImageKind.VOLUME, blob, sha, key.sign("a", ImageKind.VOLUME, sha), 1, 2);
        for (String name : List.of("a", "b")) {
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> catalog.manifest(catalog.image(name)));
            assertTrue(e.getMessage().contains("'" + name + "' has an invalid signature"), e.getMessage());
        }
    }

    @Test
    void aManifestOfAnotherKindThanItsRowIsRefused() {
        // signed consistently with the row (TREE), but the manifest inside is a volume's
        byte[] blob = ManifestFormat.encode(volume(1));
        byte[] sha = ChunkId.newDigest().digest(blob);
        add(index, "a", ImageKind.TREE, blob, sha, key.sign("a", ImageKind.TREE, sha), 1);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> catalog.manifest(catalog.image("a")));
        assertTrue(e.getMessage().contains("wrong kind"), e.getMessage());
    }

    @Test
    void unknownAndDeletedImagesAreClearErrors() {
        StoreException e = assertThrows(StoreException.class, () -> catalog.image("nope"));
        assertTrue(e.getMessage().contains("no image named 'nope'"), e.getMessage());
        addSigned(index, key, "a", volume(1), 1);
        ImageInfo a = catalog.image("a");
        index.deleteImage(a.id());
        e = assertThrows(StoreException.class, () -> catalog.manifest(a));
        assertTrue(e.getMessage().contains("deleted meanwhile"), e.getMessage());
    }
}
