package io.imgcast.store;

import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's dictionary: read from the index on first use, needed only by chunks of the dictionary codecs. */
class StoreDictionaryTest {
    @TempDir Path tmp;

    static ChunkLocation at(byte codec) {
        return new ChunkLocation(1, 8, 10, 20, codec);
    }

    @Test
    void aStoreWithoutOneNeedsNoneUntilAChunkDoes() throws Exception {
        Index.create(tmp.resolve("index.db"), new byte[] {1});
        try (Index index = Index.open(tmp.resolve("index.db"))) {
            StoreDictionary d = new StoreDictionary(index);
            assertNull(d.current());
            assertNull(d.neededBy("a", List.of(at(ChunkCodec.RAW), at(ChunkCodec.ZSTD), at(ChunkCodec.ZSTD_X86))));
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> d.neededBy("a", List.of(at(ChunkCodec.ZSTD_DICT))));
            assertTrue(e.getMessage().contains("image a needs the store's dictionary, which is missing"), e.getMessage());

            ChunkCodec.Dictionary trained = new ChunkCodec.Dictionary(new byte[] {5, 6, 7});
            d.committed(trained);
            assertSame(trained, d.current());
            assertSame(trained, d.neededBy("a", List.of(at(ChunkCodec.RAW), at(ChunkCodec.ZSTD_DICT_X86))));
        }
    }

    @Test
    void aCommittedDictionaryIsReadFromTheIndex() throws Exception {
        Index.create(tmp.resolve("index.db"), new byte[] {1});
        try (Index index = Index.open(tmp.resolve("index.db"))) {
            index.addImage(Map.of(), Map.of(), new Index.ImageRow("a", io.imgcast.manifest.ImageKind.TREE, null, null, 0, null, 0, 0, 0, 0,
                    new StoredManifest(new byte[1], new byte[32], new byte[64]), 0), new byte[] {5, 6, 7});
            assertArrayEquals(new byte[] {5, 6, 7}, new StoreDictionary(index).current().bytes());
        }
    }
}
