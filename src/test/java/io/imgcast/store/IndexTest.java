package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.ImageKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index alone: schema, upgrade of the earlier layout, and changes that happen whole or not at all. */
class IndexTest {
    static final byte[] KEY = {1, 2, 3, 4};
    @TempDir Path tmp;

    static ChunkId id(int n) {
        byte[] b = ("chunk " + n).getBytes(StandardCharsets.UTF_8);
        return ChunkId.hash(b, 0, b.length);
    }

    static Index.ImageRow row(String name, long stored) {
        return new Index.ImageRow(name, ImageKind.TREE, "d", "f", 1000, "u", 2, 1, 300, 2,
                new StoredManifest(new byte[] {9, 9}, new byte[32], new byte[64]), stored);
    }

    Index fresh() throws SQLException {
        Path file = tmp.resolve("index.db");
        Index.create(file, KEY);
        return Index.open(file);
    }

    @Test
    void aNewIndexHasItsTablesAndTheKey() throws SQLException {
        try (Index index = fresh()) {
            for (String t : List.of("meta", "pack", "chunk", "image", "bad_chunk")) assertTrue(index.hasTable(t), t);
            assertFalse(index.hasTable("image_chunk"));
            assertArrayEquals(KEY, index.publicKey());
            assertNull(index.dictionary());
            assertEquals(0, index.lastPackId());
            assertEquals(0, index.packBytes());
            assertTrue(index.images().isEmpty());
        }
    }

    @Test
    void anAddedImageIsVisibleWithItsChunksPacksAndDictionary() throws SQLException {
        try (Index index = fresh()) {
            ChunkLocation a = new ChunkLocation(3, 8, 100, 200, (byte) 1);
            ChunkLocation b = new ChunkLocation(4, 8, 50, 60, (byte) 0);
            index.addImage(Map.of(3L, 108L, 4L, 58L), Map.of(id(1), a, id(2), b), row("one", 150), new byte[] {7});

            ImageInfo info = index.find("one").orElseThrow();
            assertEquals(new ImageInfo(info.id(), "one", ImageKind.TREE, "d", "f", 1000, "u", 2, 1, 300, 2, 150), info);
            assertEquals(List.of(info), index.images());
            StoredManifest sm = index.storedManifest(info.id()).orElseThrow();
            assertArrayEquals(new byte[] {9, 9}, sm.blob());
            assertEquals(Map.of(id(1), a, id(2), b), index.locations(List.of(id(1), id(2), id(3))));
            assertEquals(Map.of(id(1), 100, id(2), 50), index.allChunks());
            assertEquals(Map.of(3L, 108L, 4L, 58L), index.packs());
            assertEquals(166, index.packBytes());
            assertEquals(4, index.lastPackId());
            assertArrayEquals(new byte[] {7}, index.dictionary());

            index.deleteImage(info.id());
            assertTrue(index.find("one").isEmpty());
            assertTrue(index.storedManifest(info.id()).isEmpty());
            assertEquals(2, index.allChunks().size(), "chunks stay until gc");
        }
    }

    @Test
    void badChunksAreRememberedUntilAGoodCopyOrAGoodCheck() throws SQLException {
        try (Index index = fresh()) {
            ChunkLocation damaged = new ChunkLocation(1, 8, 92, 92, (byte) 0);
            index.addImage(Map.of(1L, 300L), Map.of(id(1), damaged, id(2), new ChunkLocation(1, 152, 92, 92, (byte) 0)), row("one", 184), null);
            assertTrue(index.badChunks().isEmpty());
            index.markBad(id(1), "pack record checksum mismatch", 5);
            index.markBad(id(2), "read error", 6);
            assertEquals(Map.of(id(1), "pack record checksum mismatch", id(2), "read error"), index.badChunks());
            // a good copy of chunk 1 in a new pack replaces the damaged record; chunk 2 checked good
            ChunkLocation copy = new ChunkLocation(2, 8, 92, 92, (byte) 0);
            index.addImage(Map.of(2L, 100L), Map.of(id(1), copy), List.of(id(2)), row("two", 92), null);
            assertTrue(index.badChunks().isEmpty(), index.badChunks().toString());
            assertEquals(copy, index.location(id(1)).orElseThrow(), "the chunk moved to its good copy");
        }
    }

    @Test
    void anIndexWithoutTablesIsRefused() throws Exception {
        Path file = tmp.resolve("empty.db");
        java.nio.file.Files.write(file, new byte[0]);
        SQLException e = assertThrows(SQLException.class, () -> Index.open(file));
        assertTrue(e.getMessage().contains("no store index"), e.getMessage());
    }

    @Test
    void locationsAreLookedUpInBatchesOfAnySize() throws SQLException {
        try (Index index = fresh()) {
            Map<ChunkId, ChunkLocation> chunks = new java.util.HashMap<>();
            for (int i = 0; i < 1234; i++) chunks.put(id(i), new ChunkLocation(1, 8 + 100L * i, 90, 100, (byte) 0));
            index.addImage(Map.of(1L, 8 + 100L * 1234), chunks, row("big", 0), null);
            List<ChunkId> wanted = new java.util.ArrayList<>(chunks.keySet());
            wanted.add(id(99999));
            assertEquals(chunks, index.locations(wanted));
            assertEquals(chunks.get(id(7)), index.location(id(7)).orElseThrow());
            assertTrue(index.location(id(99999)).isEmpty());
        }
    }

    @Test
    void aSecondImageOfTheSameNameChangesNothing() throws SQLException {
        try (Index index = fresh()) {
            index.addImage(Map.of(1L, 100L), Map.of(id(1), new ChunkLocation(1, 8, 92, 92, (byte) 0)), row("one", 92), null);
            StoreException e = assertThrows(StoreException.class, () -> index.addImage(Map.of(2L, 100L),
                    Map.of(id(2), new ChunkLocation(2, 8, 92, 92, (byte) 0)), row("one", 92), new byte[] {7}));
            assertTrue(e.getMessage().contains("an image named 'one' already exists"), e.getMessage());
            assertEquals(Map.of(1L, 100L), index.packs(), "the refused commit's pack is not listed");
            assertEquals(1, index.lastPackId());
            assertEquals(Map.of(id(1), 92), index.allChunks());
            assertNull(index.dictionary());
        }
    }

    @Test
    void aTransactionRollsBackWhenItsWorkFails() throws SQLException {
        try (Index index = fresh()) {
            RuntimeException boom = new IllegalStateException("boom");
            assertEquals(boom, assertThrows(IllegalStateException.class, () -> index.transaction(db -> {
                try (Statement s = db.createStatement()) {
                    s.executeUpdate("INSERT INTO pack(id, size) VALUES (1, 10)");
                }
                throw boom;
            })));
            assertEquals(Map.of(), index.packs());
            assertThrows(SQLException.class, () -> index.transaction(db -> {
                try (Statement s = db.createStatement()) {
                    s.executeUpdate("INSERT INTO pack(id, size) VALUES (1, 10)");
                    s.executeUpdate("INSERT INTO pack(id, size) VALUES (1, 10)"); // primary key
                }
                return null;
            }));
            assertEquals(Map.of(), index.packs());
            // and the connection is usable again, outside any transaction
            assertEquals(1, (int) index.transaction(db -> {
                try (Statement s = db.createStatement()) {
                    return s.executeUpdate("INSERT INTO pack(id, size) VALUES (1, 10)");
                }
            }));
            assertEquals(Map.of(1L, 10L), index.packs());
        }
    }

    @Test
    void replacingAPackMovesItsLiveChunksAndDropsTheRest() throws SQLException {
        try (Index index = fresh()) {
            index.addImage(Map.of(1L, 300L), Map.of(id(1), new ChunkLocation(1, 8, 92, 92, (byte) 0),
                    id(2), new ChunkLocation(1, 200, 92, 92, (byte) 0)), row("one", 184), null);
            ChunkLocation moved = new ChunkLocation(5, 8, 92, 92, (byte) 0);
            index.replacePack(1, 5, 152, Map.of(id(2), moved));
            assertEquals(Map.of(5L, 152L), index.packs());
            assertEquals(Map.of(id(2), moved), index.locations(List.of(id(1), id(2))));
            assertEquals(5, index.lastPackId());
            List<ChunkId> visited = new java.util.ArrayList<>();
            index.forEachChunk((id, l) -> visited.add(id));
            assertEquals(List.of(id(2)), visited);

            index.replacePack(5, -1, 0, Map.of());
            assertEquals(Map.of(), index.packs());
            assertEquals(Map.of(), index.allChunks());
            assertEquals(5, index.lastPackId(), "pack numbers are never reused");
        }
    }

    @Test
    void anIndexOfTheEarlierLayoutIsUpgraded() throws SQLException {
        Path file = tmp.resolve("index.db");
        Index.create(file, KEY);
        try (Index index = Index.open(file)) {
            index.addImage(Map.of(1L, 300L), Map.of(id(1), new ChunkLocation(1, 8, 40, 92, (byte) 1),
                    id(2), new ChunkLocation(1, 200, 60, 92, (byte) 1)), row("one", 0), null);
        }
        // the earlier layout: a per-image chunk table, a chunk-by-pack index, no stored column
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE image_chunk(image INTEGER NOT NULL, chunk BLOB NOT NULL, PRIMARY KEY(image, chunk)) WITHOUT ROWID");
            s.executeUpdate("CREATE INDEX image_chunk_chunk ON image_chunk(chunk)");
            s.executeUpdate("CREATE INDEX chunk_pack ON chunk(pack)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO image_chunk(image, chunk) SELECT image.id, ? FROM image")) {
                for (ChunkId id : List.of(id(1), id(2))) {
                    p.setBytes(1, id.toBytes());
                    p.executeUpdate();
                }
            }
            s.executeUpdate("ALTER TABLE image DROP COLUMN stored");
        }
        try (Index index = Index.open(file)) {
            assertFalse(index.hasTable("image_chunk"));
            assertEquals(100, index.find("one").orElseThrow().storedBytes(), "stored bytes summed from the old table");
            assertEquals(2, index.allChunks().size());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             var r = s.executeQuery("SELECT count(*) FROM sqlite_schema WHERE name IN ('image_chunk_chunk', 'chunk_pack')")) {
            r.next();
            assertEquals(0, r.getInt(1), "the old indexes are gone");
        }
        try (Index index = Index.open(file)) {
            assertEquals(100, index.find("one").orElseThrow().storedBytes(), "opening again changes nothing");
        }
    }
}
