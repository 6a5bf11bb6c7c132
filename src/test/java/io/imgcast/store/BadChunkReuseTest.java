package io.imgcast.store;

import io.imgcast.manifest.Entry;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A capture never reuses a chunk known to be damaged: verify's advice to capture again works.
 * With {@code --paranoid} every reused chunk is checked, so damage nobody has seen yet is
 * healed too. Hostile image names are refused at capture and import.
 */
class BadChunkReuseTest {
    static final int MiB = 1 << 20;
    @TempDir Path tmp;
    Path store;
    Path src;

    @BeforeEach
    void oneDamagedImage() throws Exception {
        store = tmp.resolve("store");
        src = tmp.resolve("src");
        TreeGen.plain(src, 4, 2 * MiB);
        Cli.run("capture", src, "--name", "a", "--store", store, "-q").ok();
        ChunkLocation l;
        try (Store s = Store.open(store, false)) {
            Entry e = s.manifest(s.image("a")).entries().stream().filter(x -> x.path().equals("big.bin")).findFirst().orElseThrow();
            l = s.location(e.chunks().id(0)).orElseThrow();
        }
        try (RandomAccessFile r = new RandomAccessFile(store.resolve(String.format("packs/%08d.pack", l.pack())).toFile(), "rw")) {
            long at = l.offset() + PackFormat.RECORD_HEADER + l.storedLength() / 2;
            r.seek(at);
            int b = r.read();
            r.seek(at);
            r.write(b ^ 0x10);
        }
    }

    void assertDamaged() {
        Cli.Result v = Cli.run("verify", "--store", store);
        assertEquals(3, v.code(), v.out());
        assertTrue(v.out().contains("file big.bin"), v.out());
    }

    void assertHealed() {
        Cli.run("verify", "--store", store, "-q").ok();
        for (String n : List.of("a", "a2")) {
            Path out = tmp.resolve("out-" + n);
            Cli.run("apply", n, out, "--store", store, "-q").ok();
            TreeDiff.assertSame(src, out);
        }
    }

    @Test
    void recaptureAfterVerifyStoresAGoodCopy() {
        assertDamaged();
        Cli.Result c = Cli.run("capture", src, "--name", "a2", "--store", store, "-q").ok();
        assertFalse(c.out().contains("grew by 0 B"), c.out());
        assertHealed();
        try (Store s = Store.open(store, false)) {
            assertTrue(s.badChunks().isEmpty(), "the good copy cleared the mark");
        }
    }

    @Test
    void unseenDamageIsReusedWithoutParanoidAndHealedWithIt() {
        // nobody read the chunk yet: a plain capture trusts the store (this is what --paranoid is for)
        Cli.run("capture", src, "--name", "plain", "--store", store, "-q").ok();
        try (Store s = Store.open(store, false)) {
            assertTrue(s.badChunks().isEmpty(), "no reader saw the damage yet");
        }
        Cli.run("delete", "plain", "--store", store).ok();
        Cli.run("capture", src, "--name", "a2", "--store", store, "-q", "--paranoid").ok();
        assertHealed();
    }

    @Test
    void hostileNamesAreRefused() throws Exception {
        for (String n : List.of("../../x", "", "a\nb", "x".repeat(5000), "\u001b]0;owned\u0007", "-rf", ".x")) {
            Cli.Result r = Cli.run("capture", src, "--name", n, "--store", store, "-q");
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("invalid image name"), r.err());
            assertFalse(r.err().contains("\u001b") || r.err().strip().contains("\n"), r.err());
        }
        assertEquals(1, Cli.run("capture", src, "--name", "../x", "--store", tmp.resolve("fresh"), "-q").code());
        assertFalse(Files.exists(tmp.resolve("fresh")), "a refused name creates no store");
        Path other = tmp.resolve("other");
        Cli.run("capture", tmp.resolve("src"), "--name", "seed", "--store", other, "-q").ok();
        Cli.run("export", "seed", tmp.resolve("a.export"), "--store", other, "-q").ok();
        Cli.Result i = Cli.run("import", tmp.resolve("a.export"), "--name", "../evil", "--store", other, "-q");
        assertEquals(1, i.code());
        assertTrue(i.err().contains("invalid image name"), i.err());
        try (var s = Files.list(store.resolve("images")); var o = Files.list(other.resolve("images"))) {
            assertEquals(1, s.count(), "no record was written for a refused name");
            assertEquals(1, o.count(), "no record was written for a refused name");
        }
    }

    @Test
    void namesAnOldStoreHoldsListEscaped() throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + store.resolve("index.db"));
             var p = c.prepareStatement("UPDATE image SET name = ? WHERE name = 'a'")) {
            p.setString(1, "evil\u001b[2J\nname");
            assertEquals(1, p.executeUpdate());
        }
        Cli.Result l = Cli.run("list", "--store", store).ok();
        assertFalse(l.out().contains("\u001b"), l.out());
        assertTrue(l.out().contains("evil\\x1b[2J\\x0aname"), l.out());
    }
}
