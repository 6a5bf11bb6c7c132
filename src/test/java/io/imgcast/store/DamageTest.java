package io.imgcast.store;

import io.imgcast.manifest.Entry;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.PackDamage;
import io.imgcast.testutil.StoreState;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A damaged store is detected, reported by image and file, and never applied silently
 * (SPEC S5, B4): corrupt and truncated packs, corrupt manifests, forged signatures,
 * altered or truncated export files.
 */
class DamageTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;
    Path store;
    Path srcA;
    Path srcB;

    @BeforeEach
    void twoImages() {
        store = tmp.resolve("store");
        srcA = tmp.resolve("a");
        srcB = tmp.resolve("b");
        TreeGen.plain(srcA, 1, 2 * (int) MiB);
        TreeGen.plain(srcB, 2, (int) MiB);
        Cli.run("capture", srcA, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", srcB, "--name", "b", "--store", store, "-q").ok();
    }

    /** Location of the first chunk of file {@code path} in image {@code image}. */
    ChunkLocation chunkOf(String image, String path) {
        return PackDamage.firstChunk(store, image, path);
    }

    Path packFile(ChunkLocation l) {
        return PackDamage.packFile(store, l);
    }

    static void flip(Path f, long offset) throws Exception {
        PackDamage.flip(f, offset, 0x40);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> verifyJson(Path store) {
        Cli.Result r = Cli.run("verify", "--json", "--store", store);
        Map<String, Object> m = (Map<String, Object>) r.json();
        assertEquals(r.code() == 0, m.get("ok"), "exit code agrees with ok");
        Map<String, Map<String, Object>> byName = new java.util.LinkedHashMap<>();
        for (Object o : (List<Object>) m.get("images")) byName.put((String) ((Map<String, Object>) o).get("name"), (Map<String, Object>) o);
        return byName;
    }

    /** a is reported damaged (naming {@code file}), b is fine, apply of a fails clearly, apply of b works. */
    void expectDamageInA(String file, String applyMessage) throws Exception {
        expectDamageInA(file, applyMessage, 3);
    }

    /** As above; apply exits {@code applyExit}: 3 when a chunk fails its check, 1 when the store cannot be read (a pack gone or cut). */
    void expectDamageInA(String file, String applyMessage, int applyExit) throws Exception {
        Cli.Result v = Cli.run("verify", "--store", store);
        assertEquals(3, v.code(), v.out());
        assertTrue(v.out().contains("DAMAGED") && v.out().contains("file " + file), v.out());
        Map<String, Map<String, Object>> j = verifyJson(store);
        assertEquals(false, j.get("a").get("ok"));
        assertTrue(j.get("a").get("problems").toString().contains(file), j.toString());
        assertEquals(true, j.get("b").get("ok"));
        assertEquals(0, Cli.run("verify", "b", "--store", store).code(), "verifying only b passes");

        Path out = tmp.resolve("out-a");
        Cli.Result r = Cli.run("apply", "a", out, "--store", store, "-q");
        assertEquals(applyExit, r.code(), r.err());
        assertTrue(r.err().contains(applyMessage), r.err());
        assertFalse(r.err().contains("internal error") || r.err().contains("writing to"), r.err());
        Path written = out.resolve(file);
        assertTrue(!Files.exists(written) || Files.mismatch(written, srcA.resolve(file)) != -1, "damaged file was not produced whole");

        Cli.Result x = Cli.run("export", "a", tmp.resolve("a.export"), "--store", store, "-q");
        assertEquals(applyExit, x.code(), "export refuses damaged data");
        assertFalse(Files.exists(tmp.resolve("a.export")) || Files.exists(tmp.resolve("a.export.partial")));

        Cli.run("apply", "b", tmp.resolve("out-b"), "--store", store, "-q").ok();
        TreeDiff.assertSame(srcB, tmp.resolve("out-b"));
    }

    @Test
    void damagedVolumeChunkIsReportedAsAByteRange() throws Exception {
        Path vol = tmp.resolve("vol.img");
        try (RandomAccessFile r = new RandomAccessFile(vol.toFile(), "rw")) {
            r.setLength(16 * MiB);
            r.seek(5 * MiB);
            byte[] d = new byte[(int) MiB];
            new java.util.SplittableRandom(3).nextBytes(d);
            r.write(d);
        }
        Cli.run("capture", vol, "--name", "vol", "--store", store, "-q").ok();
        ChunkLocation l;
        long start;
        try (Store s = Store.open(store, false)) {
            io.imgcast.manifest.Extent x = s.manifest(s.image("vol")).extents().getFirst();
            start = x.offset();
            l = s.location(x.chunks().id(0)).orElseThrow();
        }
        assertEquals(5 * MiB, start);
        flip(packFile(l), l.offset() + PackFormat.RECORD_HEADER + 1);
        Cli.Result v = Cli.run("verify", "vol", "--store", store);
        assertEquals(3, v.code());
        assertTrue(v.out().contains("bytes " + start + "-" + (start + l.rawLength() - 1)), v.out());
        Cli.Result r = Cli.run("apply", "vol", tmp.resolve("out.img"), "--store", store, "-q");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("damaged"), r.err());
        assertEquals(0, Cli.run("verify", "a", "b", "--store", store, "-q").code());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 36, 44, 48, -1})
    void corruptPackByte(int where) throws Exception {
        ChunkLocation l = chunkOf("a", "big.bin");
        long at = l.offset() + (where >= 0 ? where : PackFormat.RECORD_HEADER + l.storedLength() / 2);
        flip(packFile(l), at);
        expectDamageInA("big.bin", "damaged");
    }

    @Test
    void truncatedPack() throws Exception {
        ChunkLocation l = chunkOf("a", "docs/sub dir/blob.bin");
        // cut a's pack in the middle of that file's first chunk: it and everything after it are gone
        try (RandomAccessFile r = new RandomAccessFile(packFile(l).toFile(), "rw")) {
            r.setLength(l.offset() + PackFormat.RECORD_HEADER + 100);
        }
        expectDamageInA("docs/sub dir/blob.bin", "truncated", 1);
    }

    @Test
    void missingPack() throws Exception {
        ChunkLocation l = chunkOf("a", "big.bin");
        Files.delete(packFile(l));
        expectDamageInA("big.bin", "damaged", 1);
    }

    @Test
    void chunkMissingFromTheIndex() throws Exception {
        ChunkLocation l = chunkOf("a", "docs/sub dir/blob.bin");
        try (Store s = Store.open(store, false)) {
            Entry e = s.manifest(s.image("a")).entries().stream().filter(x -> x.path().equals("docs/sub dir/blob.bin")).findFirst().orElseThrow();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.resolve("index.db"));
                 PreparedStatement p = c.prepareStatement("DELETE FROM chunk WHERE id = ?")) {
                p.setBytes(1, e.chunks().id(0).toBytes());
                assertEquals(1, p.executeUpdate());
            }
        }
        assertTrue(l.rawLength() > 0);
        Cli.Result v = Cli.run("verify", "--store", store);
        assertEquals(3, v.code());
        assertTrue(v.out().contains("file docs/sub dir/blob.bin") && v.out().contains("missing from the store"), v.out());
        Cli.Result r = Cli.run("apply", "a", tmp.resolve("out-a"), "--store", store, "-q");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("missing from the store index"), r.err());
        assertFalse(Files.exists(tmp.resolve("out-a")), "refused before writing anything");
    }

    @Test
    void damagedIndexFileGivesAClearError() throws Exception {
        Path db = store.resolve("index.db");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(db), 3000);
        Files.write(db, head);
        for (String cmd : List.of("list", "verify")) {
            Cli.Result r = Cli.run(cmd, "--store", store);
            assertEquals(1, r.code(), cmd);
            assertTrue(r.err().contains("index.db") && r.err().contains("malformed"), cmd + ": " + r.err());
            assertFalse(r.err().contains("internal error"), r.err());
        }
        Cli.Result r = Cli.run("capture", srcB, "--name", "c", "--store", store, "-q");
        assertEquals(1, r.code());
        assertFalse(r.err().contains("internal error"), r.err());
    }

    void updateImage(String name, String column, byte[] value) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.resolve("index.db"));
             PreparedStatement p = c.prepareStatement("UPDATE image SET " + column + " = ? WHERE name = ?")) {
            p.setBytes(1, value);
            p.setString(2, name);
            assertEquals(1, p.executeUpdate());
        }
    }

    byte[] imageColumn(String name, String column) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.resolve("index.db"));
             PreparedStatement p = c.prepareStatement("SELECT " + column + " FROM image WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                assertTrue(r.next());
                return r.getBytes(1);
            }
        }
    }

    /** The image is reported with a manifest problem, apply refuses before writing anything, others are fine. */
    void expectManifestRejected(String why) throws Exception {
        Cli.Result v = Cli.run("verify", "--store", store);
        assertEquals(3, v.code());
        assertTrue(v.out().contains("manifest") && v.out().contains(why), v.out());
        Map<String, Map<String, Object>> j = verifyJson(store);
        assertEquals(false, j.get("a").get("ok"));
        assertEquals(true, j.get("b").get("ok"));
        Path out = tmp.resolve("out-a");
        Cli.Result r = Cli.run("apply", "a", out, "--store", store, "-q");
        assertEquals(3, r.code());
        assertTrue(r.err().contains(why) && r.err().contains("'a'"), r.err());
        assertFalse(Files.exists(out), "nothing was written");
        Cli.Result x = Cli.run("export", "a", tmp.resolve("a.export"), "--store", store, "-q");
        assertEquals(3, x.code());
        assertFalse(Files.exists(tmp.resolve("a.export")));
        // the catalog still lists it, so it can be deleted
        assertEquals(0, Cli.run("list", "--store", store).code());
        Cli.run("apply", "b", tmp.resolve("out-b"), "--store", store, "-q").ok();
    }

    @Test
    void corruptManifestBlobInTheIndex() throws Exception {
        byte[] blob = imageColumn("a", "manifest");
        blob[blob.length / 2] ^= 0x01;
        updateImage("a", "manifest", blob);
        expectManifestRejected("corrupt");
    }

    @Test
    void flippedSignature() throws Exception {
        byte[] sig = imageColumn("a", "signature");
        sig[5] ^= 0x01;
        updateImage("a", "signature", sig);
        expectManifestRejected("invalid signature");
    }

    @Test
    void anotherImagesSignedManifestUnderThisName() throws Exception {
        updateImage("a", "manifest", imageColumn("b", "manifest"));
        updateImage("a", "manifest_sha", imageColumn("b", "manifest_sha"));
        updateImage("a", "signature", imageColumn("b", "signature"));
        expectManifestRejected("invalid signature");
    }

    @Test
    void manifestReSignedWithAForeignKey() throws Exception {
        // an attacker makes big.bin setuid root and signs with a key of their own
        Manifest m = ManifestFormat.decode(imageColumn("a", "manifest"));
        List<Entry> changed = new ArrayList<>();
        for (Entry e : m.entries()) {
            changed.add(e.path().equals("big.bin") ? new Entry(e.path(), e.type(), 04755, 0, 0, e.atimeNs(), e.mtimeNs(), e.size(),
                    e.target(), e.rdev(), e.xattrs(), e.chunks()) : e);
        }
        byte[] blob = ManifestFormat.encode(Manifest.tree(changed));
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(blob);
        KeyPair attacker = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(attacker.getPrivate());
        s.update(io.imgcast.manifest.ImageSignature.payload("a", io.imgcast.manifest.ImageKind.TREE, sha));
        updateImage("a", "manifest", blob);
        updateImage("a", "manifest_sha", sha);
        updateImage("a", "signature", s.sign());
        expectManifestRejected("invalid signature");
    }

    @Test
    void renamedImageNoLongerMatchesItsSignature() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store.resolve("index.db"));
             PreparedStatement p = c.prepareStatement("UPDATE image SET name = 'c' WHERE name = 'b'")) {
            assertEquals(1, p.executeUpdate());
        }
        Map<String, Map<String, Object>> j = verifyJson(store);
        assertEquals(true, j.get("a").get("ok"));
        assertEquals(false, j.get("c").get("ok"));
        assertEquals(3, Cli.run("apply", "c", tmp.resolve("out-c"), "--store", store, "-q").code());
    }

    // ---- export files --------------------------------------------------------------------

    interface Damage {
        byte[] apply(byte[] file);
    }

    @Test
    void damagedExportFilesAreRefusedAndTheStoreIsUnchanged() throws Exception {
        Path file = tmp.resolve("a.imgcast");
        Cli.run("export", "a", file, "--store", store, "-q").ok();
        byte[] good = Files.readAllBytes(file);
        Path other = tmp.resolve("other");
        Cli.run("capture", srcB, "--name", "b", "--store", other, "-q").ok(); // shares nothing with a
        StoreState before = StoreState.of(other);
        Map<String, Damage> damages = new java.util.LinkedHashMap<>();
        damages.put("empty", f -> new byte[0]);
        damages.put("first 10 bytes", f -> java.util.Arrays.copyOf(f, 10));
        damages.put("first half", f -> java.util.Arrays.copyOf(f, f.length / 2));
        damages.put("last byte missing", f -> java.util.Arrays.copyOf(f, f.length - 1));
        damages.put("trailer missing", f -> java.util.Arrays.copyOf(f, f.length - 40));
        damages.put("extra byte", f -> java.util.Arrays.copyOf(f, f.length + 1));
        for (int at : new int[] {9, 12, 40, 300, good.length / 3, good.length / 2, good.length - 100, good.length - 41, good.length - 30, good.length - 1}) {
            damages.put("byte " + at + " flipped", f -> {
                byte[] g = f.clone();
                g[at] ^= 0x20;
                return g;
            });
        }
        damages.put("not an export", f -> "hello, this is not an image\n".repeat(10).getBytes());
        for (Map.Entry<String, Damage> d : damages.entrySet()) {
            Path bad = tmp.resolve("bad.imgcast");
            Files.write(bad, d.getValue().apply(good));
            Cli.Result r = Cli.run("import", bad, "--store", other, "-q");
            assertEquals(3, r.code(), d.getKey() + ": " + r.out());
            assertFalse(r.err().isBlank() || r.err().contains("internal error"), d.getKey() + ": " + r.err());
            assertEquals(before, StoreState.of(other), d.getKey() + ": store changed");
        }
        // the good file still imports, and applies bit-identical
        Cli.run("import", file, "--store", other, "-q").ok();
        Cli.run("apply", "a", tmp.resolve("imported"), "--store", other, "-q").ok();
        TreeDiff.assertSame(srcA, tmp.resolve("imported"));
        assertNotEquals(before, StoreState.of(other));
        // a second import under the same name is refused, and changes nothing
        StoreState now = StoreState.of(other);
        Cli.Result r = Cli.run("import", file, "--store", other, "-q");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("already exists"), r.err());
        assertEquals(now, StoreState.of(other));
    }

    @Test
    void verifyDetectsADamagedChunkSharedByTwoImagesInBoth() throws Exception {
        Path c = tmp.resolve("c");
        TreeGen.copy(srcA, c);
        Cli.run("capture", c, "--name", "a-copy", "--store", store, "-q").ok();
        ChunkLocation l = chunkOf("a", "big.bin");
        flip(packFile(l), l.offset() + PackFormat.RECORD_HEADER + 7);
        Map<String, Map<String, Object>> j = verifyJson(store);
        assertEquals(false, j.get("a").get("ok"));
        assertEquals(false, j.get("a-copy").get("ok"));
        assertEquals(true, j.get("b").get("ok"));
    }
}
