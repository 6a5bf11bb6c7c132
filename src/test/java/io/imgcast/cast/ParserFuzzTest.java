package io.imgcast.cast;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.imgcast.codec.CorruptDataException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the parsers of what a receiver takes from the control API: live table slices, their
 * signatures and signed manifests. Each answers garbage with a {@link CorruptDataException} and
 * nothing else. The suite replays the seed corpora in {@code ParserFuzzTestInputs};
 * {@code scripts/fuzz.sh} fuzzes for real.
 */
class ParserFuzzTest {
    private static final java.security.KeyPair KEY = io.imgcast.manifest.ImageSignature.newKeyPair();

    @FuzzTest(maxDuration = "20s")
    void liveTableSlicesDecodeOrAreRefused(byte[] data) {
        try {
            LiveTable.Slice s = LiveTable.decodeSlice(data);
            assertTrue(s.placements().size() <= LiveTable.MAX_SLICE);
            assertTrue(s.from() >= 0 && s.total() >= s.from() + s.placements().size() || s.failure() != null);
        } catch (CorruptDataException expected) {
            // a clear refusal
        }
    }

    @FuzzTest(maxDuration = "20s")
    void unsignedTableSlicesAreRefused(byte[] data) {
        assertThrows(CorruptDataException.class, () -> TableSignature.open(KEY.getPublic(), 1, data));
    }

    @FuzzTest(maxDuration = "20s")
    void signedManifestsDecodeOrAreRefused(byte[] data) {
        try {
            SignedManifest m = SignedManifest.decode(data);
            assertTrue(m.manifest() != null);
        } catch (CorruptDataException expected) {
            // a clear refusal
        }
    }
}
