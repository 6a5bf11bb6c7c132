package io.imgcast.cli;

import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.StoreState;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: JSON output, exit codes, export/import between stores. */
class CliTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> arr(Object o) {
        return (List<Object>) o;
    }

    static long num(Map<String, Object> m, String k) {
        assertTrue(m.get(k) instanceof Long, k + " is a number in " + m);
        return (Long) m.get(k);
    }

    @Test
    void listAndInfoJsonCarryTheDescriptiveData() {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 1, (int) MiB);
        Path b = tmp.resolve("b");
        TreeGen.copy(a, b);
        TreeGen.nextEdition(b, 1);
        String description = "Lab image \"2024\"\n\ttabbed, back\\slash, ünïcode 日本, bell\u0007";
        Instant t0 = Instant.now().minusSeconds(1);
        Map<String, Object> cap = obj(Cli.run("capture", a, "--name", "lab-a", "--store", store, "--description", description,
                "--flags", "edition=1,locked", "--user-info", "ops@lab", "--json").ok().json());
        assertTrue(num(cap, "added_bytes") > MiB, cap.toString());
        Cli.run("capture", b, "--name", "lab-b", "--store", store, "-q").ok();
        Instant t1 = Instant.now().plusSeconds(1);

        Map<String, Object> info = obj(Cli.run("info", "lab-a", "--json", "--store", store).ok().json());
        assertEquals("lab-a", info.get("name"));
        assertEquals("file-tree", info.get("kind"));
        assertEquals(description, info.get("description"));
        assertEquals("edition=1,locked", info.get("flags"));
        assertEquals("ops@lab", info.get("user_info"));
        TreeDiff.Counts c = TreeDiff.counts(a);
        long[] want = {c.files(), c.dirs(), c.bytes()};
        assertEquals(want[0], num(info, "files"));
        assertEquals(want[1], num(info, "dirs"));
        assertEquals(want[2], num(info, "bytes"));
        assertTrue(num(info, "chunks") > 0);
        assertTrue(num(info, "stored_bytes") > MiB);
        // a and b share all but a few chunks: what is unique to a is small
        assertTrue(num(info, "unique_bytes") < 600 * 1024, info.toString());
        assertTrue(num(info, "unique_stored_bytes") <= num(info, "stored_bytes"));
        Instant created = Instant.parse((String) info.get("created"));
        assertTrue(!created.isBefore(t0) && !created.isAfter(t1), "created " + created);

        Map<String, Object> list = obj(Cli.run("list", "--json", "--store", store).ok().json());
        assertEquals(store.toAbsolutePath().toString(), list.get("store"));
        assertTrue(num(list, "pack_bytes") > MiB);
        List<Object> images = arr(list.get("images"));
        assertEquals(2, images.size());
        assertEquals(info, obj(images.get(0)), "list carries the same data as info");
        Map<String, Object> lb = obj(images.get(1));
        assertEquals("lab-b", lb.get("name"));
        assertEquals("", lb.get("description"));
        assertTrue(((String) lb.get("user_info")).contains("@"), "default user info is user@host: " + lb);
        assertTrue(num(lb, "unique_bytes") >= 128 * 1024, "b's added file is unique to b: " + lb);
        assertEquals(want[0] + 1, num(lb, "files"));

        // plain text forms work too
        Cli.Result text = Cli.run("list", "--store", store).ok();
        assertTrue(text.out().contains("lab-a") && text.out().contains("lab-b") && text.out().contains("2 images"), text.out());
        assertTrue(Cli.run("info", "lab-a", "--store", store).ok().out().contains("ops@lab"));
    }

    @Test
    void exitCodes() {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 2, 300_000);
        assertEquals(4, Cli.run("list", "--store", store).code(), "no store yet");
        assertTrue(Cli.run("list", "--store", store).err().contains("no imgcast store"));
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Cli.Result v = Cli.run("verify", "--store", store);
        assertEquals(0, v.code());
        assertTrue(v.out().contains("all images intact"), v.out());
        Map<String, Object> j = obj(Cli.run("verify", "--json", "--store", store).ok().json());
        assertEquals(true, j.get("ok"));
        assertTrue(num(j, "chunks") > 0 && num(j, "bytes") > 0);
        assertEquals(4, Cli.run("verify", "missing", "--store", store).code(), "no such image");
        assertEquals(4, Cli.run("info", "missing", "--store", store).code(), "no such image");
        assertEquals(2, Cli.run("verify", "--no-such-option", "--store", store).code(), "usage error");
        assertEquals(2, Cli.run("capture", a, "--store", store).code(), "--name is required");
        assertEquals(2, Cli.run("frobnicate").code());
        assertEquals(0, Cli.run("--version").code());
        Path notAStore = tmp.resolve("not-a-store");
        TreeGen.plain(notAStore, 3, 1000);
        Cli.Result r = Cli.run("capture", a, "--name", "x", "--store", notAStore, "-q");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not empty and not an imgcast store"), r.err());
    }

    @Test
    void exportImportRoundTripIsBitIdentical() throws Exception {
        Path s1 = tmp.resolve("s1");
        Path s2 = tmp.resolve("s2");
        Path tree = tmp.resolve("tree");
        TreeGen.full(tree, 3, 2 * (int) MiB);
        Path vol = tmp.resolve("vol.img");
        try (RandomAccessFile r = new RandomAccessFile(vol.toFile(), "rw")) {
            r.setLength(64 * MiB);
        }
        TreeGen.randomFile(tmp.resolve("chunk"), MiB, 4);
        try (RandomAccessFile r = new RandomAccessFile(vol.toFile(), "rw")) {
            r.seek(10 * MiB);
            r.write(Files.readAllBytes(tmp.resolve("chunk")));
        }
        Cli.run("capture", tree, "--name", "tree", "--store", s1, "--description", "exported", "--flags", "f1", "-q").ok();
        Cli.run("capture", vol, "--name", "vol", "--store", s1, "-q").ok();
        Path te = tmp.resolve("tree.imgcast");
        Path ve = tmp.resolve("vol.imgcast");
        Cli.run("export", "tree", te, "--store", s1, "-q").ok();
        Cli.run("export", "vol", ve, "--store", s1, "-q").ok();
        assertFalse(Files.exists(tmp.resolve("tree.imgcast.partial")));
        assertTrue(Files.size(ve) < 2 * MiB, "holes are not exported: " + Files.size(ve));

        Cli.run("import", te, "--store", s2, "-q").ok();
        Cli.run("import", ve, "--name", "renamed-vol", "--store", s2, "-q").ok();
        Map<String, Object> i1 = obj(Cli.run("info", "tree", "--json", "--store", s1).ok().json());
        Map<String, Object> i2 = obj(Cli.run("info", "tree", "--json", "--store", s2).ok().json());
        for (String k : List.of("name", "kind", "description", "flags", "files", "dirs", "bytes", "chunks", "created", "user_info")) {
            assertEquals(i1.get(k), i2.get(k), k);
        }
        assertEquals(0, Cli.run("verify", "--store", s2, "-q").code());
        Cli.run("apply", "tree", tmp.resolve("tree-out"), "--store", s2, "-q").ok();
        TreeDiff.assertSame(tree, tmp.resolve("tree-out"));
        Cli.run("apply", "renamed-vol", tmp.resolve("vol-out.img"), "--store", s2, "-q").ok();
        assertTrue(Sh.cmp(vol, tmp.resolve("vol-out.img"), 0));

        // importing into a store that already has the data adds only the catalog entry
        StoreState before = StoreState.of(s1);
        Cli.run("import", te, "--name", "tree-again", "--store", s1, "-q").ok();
        StoreState after = StoreState.of(s1);
        assertEquals(before.packFiles(), after.packFiles());
        assertEquals(before.chunkRows(), after.chunkRows());
        assertEquals(3, after.images().size());
        Map<String, Object> gc = obj(Cli.run("gc", "--json", "--store", s1).ok().json());
        assertEquals(0L, gc.get("chunks_removed"));
    }

    @Test
    void applyJsonReportsBytes() {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 5, 500_000);
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Map<String, Object> r = obj(Cli.run("apply", "a", tmp.resolve("out"), "--json", "--store", store).ok().json());
        TreeDiff.Counts c = TreeDiff.counts(a);
        long[] want = {c.files(), c.dirs(), c.bytes()};
        assertEquals(want[2], num(r, "bytes"));
        assertEquals(0L, r.get("warnings"));
        assertEquals("a", r.get("image"));
        assertTrue(MiniJson.parse("[1, 2.5e3, \"x\"]") instanceof List);
    }
}
