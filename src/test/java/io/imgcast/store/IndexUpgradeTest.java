package io.imgcast.store;

import io.imgcast.testutil.Cli;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which images reference a chunk comes from their manifests: an index written by the earlier
 * layout (a per-image chunk table) is upgraded on open without losing anything, and gc refuses
 * to guess when a manifest is damaged.
 */
class IndexUpgradeTest {
    static final int MiB = 1 << 20;
    @TempDir Path tmp;

    static Connection db(Path store) throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + store.resolve("index.db"));
    }

    static boolean hasTable(Connection c, String name) throws Exception {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM sqlite_schema WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> info(Path store, String name) {
        return (Map<String, Object>) Cli.run("info", name, "--json", "--store", store).ok().json();
    }

    @Test
    void anIndexOfTheEarlierLayoutIsUpgradedOnOpen() throws Exception {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 1, 3 * MiB);
        Path b = tmp.resolve("b");
        TreeGen.copy(a, b);
        TreeGen.nextEdition(b, 1);
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", b, "--name", "b", "--store", store, "-q").ok();
        Map<String, Object> before = info(store, "b");
        assertTrue((Long) before.get("stored_bytes") > 2 * MiB, before.toString());

        // rewrite the index into the earlier layout: image_chunk + chunk_pack, no stored column
        Map<Long, java.util.Set<io.imgcast.chunk.ChunkId>> sets = new java.util.HashMap<>();
        try (Store st = Store.open(store, false)) {
            for (ImageInfo i : st.images()) sets.put(i.id(), st.chunkSet(i));
        }
        try (Connection c = db(store); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE image_chunk(image INTEGER NOT NULL, chunk BLOB NOT NULL, PRIMARY KEY(image, chunk)) WITHOUT ROWID");
            s.executeUpdate("CREATE INDEX image_chunk_chunk ON image_chunk(chunk)");
            s.executeUpdate("CREATE INDEX chunk_pack ON chunk(pack)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO image_chunk(image, chunk) VALUES (?, ?)")) {
                for (var e : sets.entrySet()) {
                    for (var id : e.getValue()) {
                        p.setLong(1, e.getKey());
                        p.setBytes(2, id.toBytes());
                        p.executeUpdate();
                    }
                }
            }
            s.executeUpdate("ALTER TABLE image DROP COLUMN stored");
        }

        long oldIndex = java.nio.file.Files.size(store.resolve("index.db"));

        Map<String, Object> after = info(store, "b");
        assertEquals(before.get("stored_bytes"), after.get("stored_bytes"), "stored bytes carried over from image_chunk");
        assertEquals(before.get("unique_bytes"), after.get("unique_bytes"));
        try (Connection c = db(store)) {
            assertFalse(hasTable(c, "image_chunk"), "the per-image chunk table is gone");
            assertFalse(hasTable(c, "chunk_pack"));
        }
        assertTrue(java.nio.file.Files.size(store.resolve("index.db")) < oldIndex, "the upgrade gave the space back");
        Cli.run("delete", "a", "--store", store).ok();
        Cli.run("gc", "--store", store).ok();
        assertEquals(0, Cli.run("verify", "--store", store, "-q").code());
        Cli.run("apply", "b", tmp.resolve("out"), "--store", store, "-q").ok();
        TreeDiff.assertSame(b, tmp.resolve("out"));
    }

    @Test
    void gcStopsWhenAManifestIsDamagedAndRemovesNothing() throws Exception {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 2, 2 * MiB);
        Path c = tmp.resolve("c");
        TreeGen.plain(c, 3, 2 * MiB);
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", c, "--name", "c", "--store", store, "-q").ok();
        Cli.run("delete", "c", "--store", store).ok();
        long packs = GcTest.du(store.resolve("packs"));
        try (Connection db = db(store);
             PreparedStatement p = db.prepareStatement("UPDATE image SET manifest = ? WHERE name = 'a'")) {
            p.setBytes(1, new byte[] {1, 2, 3});
            assertEquals(1, p.executeUpdate());
        }
        Cli.Result g = Cli.run("gc", "--store", store);
        assertEquals(1, g.code());
        assertTrue(g.err().contains("'a'") && g.err().contains("damaged") && g.err().contains("nothing removed"), g.err());
        assertEquals(packs, GcTest.du(store.resolve("packs")), "nothing was removed");

        Cli.Result list = Cli.run("list", "--store", store).ok();
        assertTrue(list.out().contains("damaged"), list.out());
        assertTrue(info(store, "a").get("unique_bytes") == null, "unique bytes of a damaged image are unknown");
    }
}
