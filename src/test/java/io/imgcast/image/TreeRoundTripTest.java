package io.imgcast.image;

import io.imgcast.manifest.ImageKind;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Capture a tree, apply it elsewhere, and compare every entry with its metadata. */
class TreeRoundTripTest {
    @TempDir Path tmp;

    static Ingest.ImageMeta meta(String name) {
        return new Ingest.ImageMeta(name, "test image " + name, "edition=1", "tester@test", System.currentTimeMillis());
    }

    static long[] expectedCounts(Path root) {
        TreeDiff.Counts c = TreeDiff.counts(root);
        return new long[] {c.files(), c.dirs(), c.bytes()};
    }

    @Test
    void everyEntryKindSurvivesCaptureAndApply() {
        Path src = tmp.resolve("src");
        TreeGen.full(src, 1, 3 * 1024 * 1024 + 12345);
        Path out = tmp.resolve("out");
        try (Store s = Store.open(tmp.resolve("store"))) {
            ImageInfo info = Capture.run(s, src, false, meta("full"), CaptureOptions.defaults());
            long[] want = expectedCounts(src);
            assertEquals(ImageKind.TREE, info.kind());
            assertEquals(want[0], info.files(), "file count");
            assertEquals(want[1], info.dirs(), "directory count");
            assertEquals(want[2], info.bytes(), "total bytes");
            assertEquals("test image full", info.description());
            assertEquals("edition=1", info.flags());
            assertEquals("tester@test", info.userInfo());
            assertTrue(info.chunks() > 3 * 1024 * 1024 / (256 * 1024), "big file spans many chunks: " + info.chunks());
            Apply.Result r = Apply.run(s, "full", out, 3, Progress.NONE);
            assertEquals(0, r.warnings(), "warnings: " + r.warningSamples());
        }
        TreeDiff.assertSame(src, out);
        // independent of the code under test: the attributes as the system tools see them
        assertEquals("label", Sh.run("getfattr", "--absolute-names", "--only-values", "-n", "security.imgcast", out.resolve("xattrs/security").toString()).ok().out());
        assertEquals("on-the-link", Sh.run("getfattr", "--absolute-names", "-h", "--only-values", "-n", "trusted.link", out.resolve("links/rel-file").toString()).ok().out());
        assertEquals("../a/b/", Sh.run("readlink", out.resolve("links/to-dir-slash").toString()).ok().out().strip());
        assertTrue(Sh.run("getcap", out.resolve("xattrs/capability").toString()).ok().out().contains("cap_net_admin,cap_net_raw=ep"),
                "file capabilities survive");
        assertEquals("user::rwx,user:1234:rwx,group::r-x,mask::rwx,other::r--", aclText(out.resolve("xattrs/acl")));
        assertEquals("-rwsr-xr-x", Sh.run("stat", "-c", "%A", out.resolve("modes/setuid").toString()).ok().out().strip());
        assertEquals("drwxrwxrwt", Sh.run("stat", "-c", "%A", out.resolve("modes/sticky").toString()).ok().out().strip());
        assertEquals("4000000000:4000000001", Sh.run("stat", "-c", "%u:%g", out.resolve("owners/huge-ids").toString()).ok().out().strip());
        assertEquals("1960-01-01 00:00:00.500000001", Sh.run("date", "-u", "-r", out.resolve("small-02.txt").toString(), "+%F %T.%N").ok().out().strip());
    }

    /** The access ACL as text, decoded from its xattr (getfacl is not installed here). */
    static String aclText(Path p) {
        String out = Sh.run("getfattr", "--absolute-names", "-e", "hex", "-n", "system.posix_acl_access", p.toString()).ok().out();
        String hex = out.substring(out.indexOf("system.posix_acl_access=0x") + "system.posix_acl_access=0x".length()).strip();
        java.util.List<String> parts = new java.util.ArrayList<>();
        byte[] b = java.util.HexFormat.of().parseHex(hex);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.getInt();
        while (bb.remaining() >= 8) {
            int tag = bb.getShort(), perm = bb.getShort(), id = bb.getInt();
            String who = switch (tag) { case 1 -> "user:"; case 2 -> "user:" + id; case 4 -> "group:"; case 8 -> "group:" + id;
                case 0x10 -> "mask:"; default -> "other:"; };
            parts.add(who + ":" + ((perm & 4) != 0 ? "r" : "-") + ((perm & 2) != 0 ? "w" : "-") + ((perm & 1) != 0 ? "x" : "-"));
        }
        return String.join(",", parts);
    }

    @Test
    void captureThroughASymlinkToTheDirectory() throws Exception {
        Path src = tmp.resolve("src");
        TreeGen.plain(src, 2, 100_000);
        Path link = Files.createSymbolicLink(tmp.resolve("current"), Path.of("src"));
        try (Store s = Store.open(tmp.resolve("store"))) {
            Capture.run(s, link, false, meta("via-link"), CaptureOptions.defaults());
            Apply.run(s, "via-link", tmp.resolve("out"), 2, Progress.NONE);
        }
        TreeDiff.assertSame(src, tmp.resolve("out"));
    }

    @Test
    void realSystemDirectory() throws Exception {
        Path sys = Path.of("/usr/share/doc");
        Path src = tmp.resolve("doc");
        TreeGen.copy(sys, src);
        Path out = tmp.resolve("out");
        try (Store s = Store.open(tmp.resolve("store"))) {
            ImageInfo info = Capture.run(s, src, false, meta("doc"), CaptureOptions.defaults());
            long[] want = expectedCounts(src);
            assertEquals(want[0], info.files());
            assertEquals(want[1], info.dirs());
            assertEquals(want[2], info.bytes());
            assertTrue(info.files() > 100, "a real directory has many files: " + info.files());
            Apply.run(s, "doc", out, 3, Progress.NONE);
        }
        TreeDiff.assertSame(src, out);
        assertTrue(Files.isDirectory(out));
    }
}
