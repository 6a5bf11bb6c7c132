package io.imgcast.manifest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.imgcast.codec.CorruptDataException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Fuzzes the manifest decoder (the stored, compressed form that travels inside signed manifests
 * and export files): garbage is a {@link CorruptDataException}; whatever decodes encodes back to
 * a manifest that decodes the same. Seeds in {@code ManifestFuzzTestInputs}.
 */
class ManifestFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void manifestsDecodeOrAreRefused(byte[] data) {
        Manifest m;
        try {
            m = ManifestFormat.decode(data);
        } catch (CorruptDataException expected) {
            return;
        }
        byte[] again = ManifestFormat.encode(m);
        assertArrayEquals(again, ManifestFormat.encode(ManifestFormat.decode(again)));
    }
}
