package io.imgcast.boot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootCacheTest {
    @Test
    void keyDependsOnEveryInputAndItsOrder() {
        String k = BootCache.key(List.of("deb a_1.deb", "deb b_2.deb"));
        assertEquals(64, k.length());
        assertEquals(k, BootCache.key(List.of("deb a_1.deb", "deb b_2.deb")));
        assertNotEquals(k, BootCache.key(List.of("deb a_1.deb", "deb b_3.deb")));
        assertNotEquals(k, BootCache.key(List.of("deb b_2.deb", "deb a_1.deb")));
        assertNotEquals(BootCache.key(List.of("ab", "c")), BootCache.key(List.of("a", "bc")));
    }

    private static Path built(BootCache c) throws Exception {
        Path w = c.work().resolve("out");
        Files.createDirectories(w);
        Files.writeString(w.resolve("vmlinuz"), "k");
        Files.writeString(w.resolve("initrd.img"), "i");
        return w;
    }

    @Test
    void aBuildIsFoundOnlyOnceCommittedAndOldOnesArePruned(@TempDir Path dir) throws Exception {
        BootCache c = new BootCache(dir);
        assertNull(c.finished("k1"));
        Path w = built(c);
        assertNull(c.finished("k1"), "a build in the work directory is not a finished build");
        Path done = c.commit("k1", w);
        assertEquals(done, c.finished("k1"));
        assertFalse(Files.exists(w));
        assertTrue(done.resolve("vmlinuz").toFile().setLastModified(1000) && done.toFile().setLastModified(1000));
        c.commit("k2", built(c));
        c.commit("k3", built(c));
        assertNull(c.finished("k1"), "the oldest build is pruned");
        assertTrue(c.finished("k2") != null && c.finished("k3") != null);
    }
}
