package io.imgcast.store;

import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.PackDamage;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Losing index.db loses no image: {@code imgcast repair} rebuilds it from the packs and the
 * signed image records beside them; images whose signature does not check are left out; a
 * format-1 store is upgraded when opened and is then repairable too.
 */
class StoreRepairTest {
    static final int MiB = 1 << 20;
    @TempDir Path tmp;
    Path store;
    Path srcA;
    Path srcB;

    @BeforeEach
    void twoImages() {
        store = tmp.resolve("store");
        srcA = tmp.resolve("a");
        srcB = tmp.resolve("b");
        TreeGen.plain(srcA, 1, 2 * MiB);
        TreeGen.copy(srcA, srcB);
        TreeGen.nextEdition(srcB, 2);
        Cli.run("capture", srcA, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", srcB, "--name", "b", "--store", store, "-q", "--description", "second edition").ok();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> listed(Path store) {
        Map<String, Object> m = (Map<String, Object>) Cli.run("list", "--json", "--store", store).ok().json();
        List<Map<String, Object>> images = new ArrayList<>();
        for (Object o : (List<Object>) m.get("images")) {
            Map<String, Object> i = new java.util.TreeMap<>((Map<String, Object>) o);
            i.remove("id");
            images.add(i);
        }
        return images;
    }

    void deleteIndex() throws Exception {
        for (String s : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(store.resolve("index.db" + s));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> repairJson(Path store, int expectCode) {
        Cli.Result r = Cli.run("repair", "--json", "--store", store);
        assertEquals(expectCode, r.code(), r.out() + r.err());
        return (Map<String, Object>) r.json();
    }

    static Object dictionary(Path store) {
        return ((Map<?, ?>) Cli.run("list", "--json", "--store", store).ok().json()).get("dictionary");
    }

    @Test
    void deletedIndexIsRebuiltExactly() throws Exception {
        List<Map<String, Object>> before = listed(store);
        Object dict = dictionary(store);
        deleteIndex();

        Cli.Result l = Cli.run("list", "--store", store);
        assertEquals(1, l.code());
        assertTrue(l.err().contains("index.db is missing") && l.err().contains("imgcast repair"), l.err());
        assertFalse(Files.exists(store.resolve("index.db")), "list does not create an empty index");

        Cli.Result r = Cli.run("repair", "--store", store).ok();
        assertTrue(r.out().contains("2 images recovered"), r.out());
        assertEquals(before, listed(store));
        assertEquals(dict, dictionary(store));
        Cli.run("verify", "--store", store, "-q").ok();
        for (String n : List.of("a", "b")) {
            Path out = tmp.resolve("out-" + n);
            Cli.run("apply", n, out, "--store", store, "-q").ok();
            TreeDiff.assertSame(n.equals("a") ? srcA : srcB, out);
        }
        // the rebuilt store takes new images and dedups against the old ones
        Path c = tmp.resolve("c");
        TreeGen.copy(srcA, c);
        Cli.run("capture", c, "--name", "c", "--store", store, "-q").ok();
        assertEquals(3, listed(store).size());
        Cli.run("verify", "--store", store, "-q").ok();
    }

    @Test
    void theDictionaryIsRecoveredAndItsLossReported() throws Exception {
        Path text = tmp.resolve("text");
        Files.createDirectories(text);
        for (int i = 0; i < 60; i++) TreeGen.textFile(text.resolve("doc-" + i + ".txt"), 2_000 + i * 1_500, 70 + i);
        Path st = tmp.resolve("dict-store");
        Cli.run("capture", text, "--name", "t", "--store", st, "-q").ok();
        Object dict = dictionary(st);
        assertFalse(((Map<?, ?>) dict).isEmpty(), "the store trained a dictionary: " + dict);
        assertTrue(Files.exists(st.resolve("dictionary.zdict")));
        for (String s : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(st.resolve("index.db" + s));
        Cli.run("repair", "--store", st).ok();
        assertEquals(dict, dictionary(st));
        Cli.run("verify", "--store", st, "-q").ok();
        Path out = tmp.resolve("out-t");
        Cli.run("apply", "t", out, "--store", st, "-q").ok();
        TreeDiff.assertSame(text, out);

        Files.delete(st.resolve("dictionary.zdict"));
        for (String s : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(st.resolve("index.db" + s));
        Map<String, Object> j = repairJson(st, 3);
        assertTrue(j.get("problems").toString().contains("dictionary.zdict is missing"), j.toString());
    }

    @Test
    void damagedOrEmptyIndexPointsToRepairWhichRebuildsIt() throws Exception {
        List<Map<String, Object>> before = listed(store);
        Path db = store.resolve("index.db");
        for (byte[] broken : List.of(java.util.Arrays.copyOf(Files.readAllBytes(db), 3000), new byte[0])) {
            deleteIndex();
            Files.write(db, broken);
            Cli.Result l = Cli.run("list", "--store", store);
            assertEquals(1, l.code());
            assertTrue(l.err().contains("imgcast repair"), l.err());
            Cli.Result r = Cli.run("repair", "--store", store).ok();
            assertTrue(r.out().contains("index.db.old"), r.out());
            assertEquals(before, listed(store));
        }
        Cli.run("verify", "--store", store, "-q").ok();
    }

    @Test
    void repairReportsOrphansAndRejectsUnsignedRecords() throws Exception {
        // an image record signed by another key, and one altered after signing
        var other = ImageSignature.newKeyPair();
        SideFiles files = new SideFiles(store);
        ImageRecord real = ImageRecord.decode(Files.readAllBytes(files.imageFile("a")));
        byte[] sig = ImageSignature.sign(other.getPrivate(), "forged", ImageKind.TREE, real.manifest().sha256());
        files.writeImage(new ImageRecord("forged", ImageKind.TREE, "", "", "", 1, new StoredManifest(real.manifest().blob(),
                real.manifest().sha256(), sig)));
        files.writeImage(new ImageRecord("renamed", ImageKind.TREE, "", "", "", 1, real.manifest()));
        Cli.run("delete", "b", "--store", store).ok();
        assertFalse(Files.exists(files.imageFile("b")), "delete removes the record");
        deleteIndex();

        Map<String, Object> j = repairJson(store, 3);
        List<?> images = (List<?>) j.get("images");
        assertEquals(1, images.size(), j.toString());
        assertEquals("a", ((Map<?, ?>) images.get(0)).get("name"));
        assertEquals(2, ((List<?>) j.get("rejected")).size(), j.toString());
        assertTrue(j.get("rejected").toString().contains("signature does not check"), j.toString());
        assertTrue((Long) j.get("orphan_chunks") > 0, "b's own chunks are orphans: " + j);
        assertEquals(List.of("a"), listed(store).stream().map(m -> m.get("name")).toList());
        Cli.run("verify", "--store", store, "-q").ok();
        Cli.Result gc = Cli.run("gc", "--store", store).ok();
        assertTrue(gc.out().contains("removed"), gc.out());
    }

    @Test
    void missingKeyFileIsReportedAndImagesStillCheck() throws Exception {
        Files.delete(store.resolve("store.key"));
        deleteIndex();
        Map<String, Object> j = repairJson(store, 0);
        assertEquals(2, ((List<?>) j.get("images")).size());
        assertTrue(j.get("notes").toString().contains("store.key is missing"), j.toString());
        Cli.run("verify", "--store", store, "-q").ok();
    }

    @Test
    void damagedChunkRecordIsFoundAndMarkedBad() throws Exception {
        ChunkLocation l = PackDamage.firstChunk(store, "a", "big.bin");
        PackDamage.flip(PackDamage.packFile(store, l), l.offset() + PackFormat.RECORD_HEADER + 10, 1);
        deleteIndex();
        Map<String, Object> j = repairJson(store, 3);
        assertEquals(1L, j.get("damaged_records"), j.toString());
        assertEquals(2, ((List<?>) j.get("images")).size());
        Cli.Result v = Cli.run("verify", "--store", store);
        assertEquals(3, v.code());
        assertTrue(v.out().contains("file big.bin"), v.out());
        try (Store s = Store.open(store, false)) {
            assertEquals(1, s.badChunks().size(), "repair remembered the damaged chunk");
        }
        // verify's advice works: capture the same data again, and everything verifies
        Cli.run("capture", srcA, "--name", "a-again", "--store", store, "-q").ok();
        Cli.run("verify", "--store", store, "-q").ok();
    }

    @Test
    void aRecordWhoseIdWasAlteredIsDamageNotAChunk() throws Exception {
        ChunkLocation l = PackDamage.firstChunk(store, "a", "big.bin");
        // the CRC covers the payload only: a flipped bit in the id must still be found
        PackDamage.flip(PackDamage.packFile(store, l), l.offset() + 10, 4);
        deleteIndex();
        Map<String, Object> j = repairJson(store, 3);
        assertEquals(1L, j.get("damaged_records"), j.toString());
        assertTrue(j.get("problems").toString().contains("does not match its hash"), j.toString());
        assertTrue(j.get("problems").toString().contains("of its chunks are in no pack"), j.toString());
        Cli.Result v = Cli.run("verify", "--store", store);
        assertEquals(3, v.code());
        assertTrue(v.out().contains("file big.bin"), v.out());
        // capturing the data again heals it
        Cli.run("capture", srcA, "--name", "a2", "--store", store, "-q").ok();
        Cli.run("verify", "--store", store, "-q").ok();
    }

    @Test
    void formatOneStoreIsUpgradedThenRepairable() throws Exception {
        // make it look like a store written before image records existed
        Files.writeString(store.resolve(Store.MARKER), "imgcast store 1\n", StandardCharsets.UTF_8);
        try (Stream<Path> s = Files.list(store.resolve("images"))) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(store.resolve("store.pub"));
        Files.deleteIfExists(store.resolve("dictionary.zdict"));
        List<Map<String, Object>> before = listed(store); // opens, so upgrades
        assertEquals("imgcast store 2\n", Files.readString(store.resolve(Store.MARKER)));
        assertTrue(Files.exists(store.resolve("store.pub")));
        try (Stream<Path> s = Files.list(store.resolve("images"))) {
            assertEquals(2, s.count());
        }
        Cli.run("verify", "--store", store, "-q").ok();
        deleteIndex();
        Cli.run("repair", "--store", store).ok();
        assertEquals(before, listed(store));
        Cli.run("verify", "--store", store, "-q").ok();
    }

    @Test
    void theNextWriterWritesBackRemovedRecords() throws Exception {
        SideFiles files = new SideFiles(store);
        byte[] a = Files.readAllBytes(files.imageFile("a"));
        Files.delete(files.imageFile("a"));
        Files.delete(files.publicKeyFile());
        Path c = tmp.resolve("c");
        TreeGen.plain(c, 9, MiB);
        Cli.run("capture", c, "--name", "c", "--store", store, "-q").ok();
        assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(files.imageFile("a"))));
        assertTrue(Files.exists(files.publicKeyFile()));
        deleteIndex();
        Cli.run("repair", "--store", store).ok();
        assertEquals(3, listed(store).size());
    }

    @Test
    void anInterruptedCommitsRecordIsRemovedByTheNextWriter() throws Exception {
        SideFiles files = new SideFiles(store);
        ImageRecord real = ImageRecord.decode(Files.readAllBytes(files.imageFile("a")));
        // a record whose index transaction never happened, and a half-written temporary file
        files.writeImage(new ImageRecord("never-committed", ImageKind.TREE, "", "", "", 1, real.manifest()));
        Files.write(files.imagesDir().resolve("x.image.tmp"), new byte[10]);
        Path c = tmp.resolve("c");
        TreeGen.plain(c, 9, MiB);
        Cli.run("capture", c, "--name", "c", "--store", store, "-q").ok();
        assertFalse(Files.exists(files.imageFile("never-committed")));
        assertFalse(Files.exists(files.imagesDir().resolve("x.image.tmp")));
        assertTrue(Files.exists(files.imageFile("c")));
    }
}
