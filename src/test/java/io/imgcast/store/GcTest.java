package io.imgcast.store;

import io.imgcast.image.Apply;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.StoreState;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delete and gc (SPEC S5): space comes back, and what remains still verifies and applies. */
class GcTest {
    static final long MiB = 1 << 20;
    @TempDir Path tmp;

    static long du(Path dir) {
        return Long.parseLong(Sh.run("du", "-s", "-B1", dir.toString()).ok().out().split("\\s")[0]);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(Cli.Result r) {
        return (Map<String, Object>) r.ok().json();
    }

    @Test
    void deleteAndGcReclaimSpaceAndKeepSharedData() {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 1, 6 * (int) MiB);
        Path b = tmp.resolve("b");
        TreeGen.copy(a, b);
        TreeGen.nextEdition(b, 1);
        Path c = tmp.resolve("c");
        TreeGen.plain(c, 3, 8 * (int) MiB);
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", c, "--name", "c", "--store", store, "-q").ok();
        Cli.run("capture", b, "--name", "b", "--store", store, "-q").ok(); // shares most of a's pack

        long packs0 = du(store.resolve("packs"));
        Cli.run("delete", "c", "--store", store).ok();
        assertEquals(List.of("a", "b"), names(store));
        assertEquals(packs0, du(store.resolve("packs")), "delete alone frees nothing");
        Map<String, Object> g = json(Cli.run("gc", "--json", "--store", store));
        long packs1 = du(store.resolve("packs"));
        assertTrue(packs0 - packs1 > 8 * MiB, "gc reclaimed c's 8 MiB: " + packs0 + " -> " + packs1);
        assertTrue((Long) g.get("bytes_before") - (Long) g.get("bytes_after") > 8 * MiB, g.toString());
        assertTrue((Long) g.get("chunks_removed") > 8 * MiB / io.imgcast.chunk.FastCdc.DEFAULT_MAX, g.toString());
        assertEquals(0, Cli.run("verify", "--store", store, "-q").code());

        // a's pack holds chunks b still needs: gc must rewrite it, not drop it
        Cli.run("delete", "a", "--store", store).ok();
        json(Cli.run("gc", "--json", "--store", store));
        long packs2 = du(store.resolve("packs"));
        assertTrue(packs2 < packs1, packs1 + " -> " + packs2);
        assertTrue(packs2 > 6 * MiB, "b's data is kept: " + packs2);
        assertEquals(0, Cli.run("verify", "--store", store, "-q").code());
        Cli.run("apply", "b", tmp.resolve("out-b"), "--store", store, "-q").ok();
        TreeDiff.assertSame(b, tmp.resolve("out-b"));
        assertEquals(java.util.Set.of(), StoreState.of(store).unlistedPackFiles());

        // gc with nothing to do changes nothing
        StoreState s = StoreState.of(store);
        Map<String, Object> idle = json(Cli.run("gc", "--json", "--store", store));
        assertEquals(0L, idle.get("chunks_removed"));
        assertEquals(s, StoreState.of(store));
        assertEquals(4, Cli.run("delete", "nope", "--store", store).code(), "no such image");
    }

    @SuppressWarnings("unchecked")
    static List<String> names(Path store) {
        Map<String, Object> m = json(Cli.run("list", "--json", "--store", store));
        return ((List<Map<String, Object>>) m.get("images")).stream().map(i -> (String) i.get("name")).toList();
    }

    /**
     * A long-lived Store (a server) keeps pack files open. After another process deletes an
     * image, runs gc and captures again, the long-lived Store must read the new data, not a
     * deleted pack that happened to have the same number.
     */
    @Test
    void aLongLivedStoreReadsNewPacksAfterGc() {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 4, (int) MiB);
        Path c = tmp.resolve("c");
        TreeGen.plain(c, 5, (int) MiB);
        Path d = tmp.resolve("d");
        TreeGen.plain(d, 6, (int) MiB);
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", c, "--name", "c", "--store", store, "-q").ok();
        try (Store server = Store.open(store, false)) {
            assertTrue(Verifier.run(server, List.of("c"), 1, Progress.NONE).ok()); // opens c's pack
            Cli.run("delete", "c", "--store", store).ok();
            Cli.run("gc", "--store", store).ok();
            Cli.run("capture", d, "--name", "d", "--store", store, "-q").ok();
            Verifier.Report r = Verifier.run(server, List.of("d"), 1, Progress.NONE);
            assertTrue(r.ok(), r.toString());
            Apply.run(server, "d", tmp.resolve("out-d"), 2, Progress.NONE);
        }
        TreeDiff.assertSame(d, tmp.resolve("out-d"));
    }
}
