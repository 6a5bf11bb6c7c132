package io.imgcast.store;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.util.Progress;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the export-file reader ({@link Transfer#importStream}) into one store made for the run:
 * garbage is refused with a {@link StoreException} or {@link CorruptDataException} and leaves
 * the store as it was (no image). Seeds in {@code TransferFuzzTestInputs} (a real export among
 * them).
 */
class TransferFuzzTest {
    private static Store store;

    private static synchronized Store store() throws IOException {
        if (store == null) {
            Path dir = Files.createTempDirectory("imgcast-fuzz-store");
            store = Store.open(dir.resolve("store"), true);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                store.close();
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary directory
                }
            }));
        }
        return store;
    }

    @FuzzTest(maxDuration = "30s")
    void exportFilesImportOrAreRefused(byte[] data) throws IOException {
        Store s = store();
        try {
            ImageInfo i = Transfer.importStream(s, new ByteArrayInputStream(data), "fuzz input", "fuzzed", Progress.forTerminal("import", 0, true));
            // accepted: a real export (a seed); it was signed and complete
            assertTrue(i != null);
            s.delete("fuzzed");
        } catch (StoreException | CorruptDataException expected) {
            // a clear refusal
        }
    }
}
