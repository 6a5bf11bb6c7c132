package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ManifestFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static io.imgcast.store.CatalogTest.addSigned;
import static io.imgcast.store.CatalogTest.id;
import static io.imgcast.store.CatalogTest.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** References come from the manifests: unique bytes are those of chunks one image alone names. */
class ReferencesTest {
    @TempDir Path tmp;
    Index index;
    StoreKey key;
    References refs;

    @BeforeEach
    void open() throws Exception {
        byte[] pub = StoreKey.create(tmp.resolve("store.key"));
        Index.create(tmp.resolve("index.db"), pub);
        index = Index.open(tmp.resolve("index.db"));
        key = new StoreKey(tmp.resolve("store.key"), pub);
        refs = new References(new Catalog(tmp, index, key), index);
    }

    @AfterEach
    void close() {
        index.close();
    }

    ImageInfo image(String name) {
        return index.find(name).orElseThrow();
    }

    @Test
    void uniqueBytesAreThoseOfChunksNoOtherImageNames() {
        addSigned(index, key, "a", volume(1, 2, 3), 1, 2, 3);
        addSigned(index, key, "b", volume(2, 3, 4, 5), 4, 5);
        assertEquals(Set.of(id(1), id(2), id(3)), refs.chunkSet(image("a")));
        // chunks are stored as 50 bytes each, 100 raw (CatalogTest.add)
        assertEquals(new Store.Unique(100, 50), refs.unique(image("a")));
        assertEquals(new Store.Unique(200, 100), refs.unique(image("b")));

        index.deleteImage(image("b").id());
        assertEquals(new Store.Unique(300, 150), refs.unique(image("a")), "counts follow the catalog");
    }

    @Test
    void aDamagedImageIsUnknownAndReferencesNothing() {
        addSigned(index, key, "a", volume(1, 2), 1, 2);
        byte[] blob = ManifestFormat.encode(volume(2, 3));
        byte[] sha = ChunkId.newDigest().digest(blob);
        CatalogTest.add(index, "b", ImageKind.VOLUME, blob, sha, new byte[64], 3);
        Store.Unique b = refs.unique(image("b"));
        assertFalse(b.known());
        assertEquals(new Store.Unique(200, 100), refs.unique(image("a")), "b's chunk 2 does not count against a");
    }
}
