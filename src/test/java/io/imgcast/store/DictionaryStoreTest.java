package io.imgcast.store;

import io.imgcast.cast.StoreCatalog;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.image.Apply;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store dictionary is experimental: the store's own reader uses it, but the cast stream and
 * export files do not carry it yet. An image captured with it applies, and is refused clearly
 * where it would otherwise reach a receiver or an export file that cannot decode it.
 */
class DictionaryStoreTest {
    @TempDir Path tmp;

    @Test
    void dictionaryImagesApplyButAreRefusedForCastAndExport() throws Exception {
        Path dir = tmp.resolve("store");
        Store.open(dir).close();
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 16 * 1024; i++) text.append("line ").append(i % 97).append(" of the sample dictionary text\n");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
             PreparedStatement p = c.prepareStatement("INSERT INTO meta(key, value) VALUES ('zstd_dict', ?)")) {
            p.setBytes(1, text.toString().getBytes(StandardCharsets.US_ASCII));
            p.executeUpdate();
        }
        Path src = tmp.resolve("src");
        TreeGen.plain(src, 3, 1 << 20);
        try (Store s = Store.open(dir)) {
            ImageInfo info = Capture.run(s, src, false, DedupTest.meta("d"), CaptureOptions.defaults());
            assertTrue(s.locations(info).values().stream().anyMatch(l -> ChunkCodec.needsDictionary(l.codec())),
                    "chunks were compressed with the store dictionary");

            Apply.run(s, "d", tmp.resolve("out"), 2, Progress.NONE);
            TreeDiff.assertSame(src, tmp.resolve("out"));

            Path file = tmp.resolve("d.imgcast");
            StoreException e = assertThrows(StoreException.class, () -> Transfer.export(s, "d", file, Progress.NONE));
            assertTrue(e.getMessage().contains("experimental store dictionary"), e.getMessage());
            assertFalse(Files.exists(file));
            assertFalse(Files.exists(tmp.resolve("d.imgcast.partial")));

            try (StoreCatalog cat = new StoreCatalog(s)) {
                StoreException e2 = assertThrows(StoreException.class, () -> cat.image("d"));
                assertTrue(e2.getMessage().contains("receivers cannot decode"), e2.getMessage());
            }
        }
    }
}
