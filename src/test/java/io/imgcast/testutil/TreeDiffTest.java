package io.imgcast.testutil;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TreeDiff must see every kind of difference it claims to check, and none between exact copies. */
class TreeDiffTest {
    @TempDir Path tmp;
    Path a;
    Path b;

    @BeforeEach
    void trees() {
        a = tmp.resolve("a");
        b = tmp.resolve("b");
        TreeGen.full(a, 7, 400_000);
        TreeGen.copy(a, b);
        assertEquals(List.of(), TreeDiff.diff(a, b), "cp -a copy must match");
    }

    private void expect(String script, String... fragments) {
        Sh.bash("set -e; cd " + Sh.q(b) + "; " + script).ok();
        List<String> d = TreeDiff.diff(a, b);
        for (String f : fragments) {
            assertTrue(d.stream().anyMatch(l -> l.contains(f)), "expected a difference mentioning '" + f + "', got " + d);
        }
    }

    @Test void mode() { expect("chmod 4711 modes/plain", "modes/plain: mode"); }

    @Test void owner() { expect("chown 1:2 owners/u12345", "owners/u12345: owner expected 12345:54321"); }

    @Test void symlinkOwner() { expect("chown -h 1:1 links/dangling", "links/dangling: owner"); }

    @Test void mtimeOneNanosecond() throws Exception {
        Path f = b.resolve("small-05.txt");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(Files.getLastModifiedTime(f).toInstant().plusNanos(1)));
        expect("true", "small-05.txt: mtime ns");
    }

    @Test void symlinkMtime() { expect("touch -h -d '2000-01-01' links/to-dir", "links/to-dir: mtime"); }

    @Test void xattrValue() { expect("setfattr -n user.comment -v changed xattrs/user", "xattrs/user: xattrs"); }

    @Test void xattrMissingInSecurityNamespace() { expect("setfattr -x security.imgcast xattrs/security", "xattrs/security: xattrs"); }

    @Test void contentSameSize() {
        expect("printf 'X' | dd of=big.bin bs=1 seek=1000 conv=notrunc status=none", "big.bin: content differs at byte 1000");
    }

    @Test void size() { expect("echo more >> small-04.txt", "small-04.txt: size"); }

    @Test void symlinkTrailingSlash() { expect("rm links/to-dir-slash; ln -s ../a/b links/to-dir-slash", "links/to-dir-slash: symlink target"); }

    @Test void hardLinkBroken() { expect("cp -p hard/two hard/tmp; mv hard/tmp hard/two", "hard/two: hard-link group"); }

    @Test void deviceNumber() { expect("rm special/char; mknod special/char c 1 5; chmod 0640 special/char", "special/char: rdev"); }

    @Test void type() { expect("rm special/fifo hard/fifo-link; touch special/fifo", "special/fifo: type"); }

    @Test void missingAndExtra() {
        expect("rm 'ünïcödé dïr/日本語 ファイル.txt'; touch extra", "ünïcödé dïr/日本語 ファイル.txt: missing", "extra: unexpected extra entry");
    }

    @Test void rootMetadataCanBeIgnored() throws Exception {
        Sh.run("chmod", "0700", b.toString()).ok();
        assertTrue(TreeDiff.diff(a, b).stream().anyMatch(l -> l.startsWith("/: mode")));
        assertEquals(List.of(), TreeDiff.diff(a, b, EnumSet.of(TreeDiff.Aspect.ROOT_META)));
        assertTrue(Files.isDirectory(b));
    }
}
