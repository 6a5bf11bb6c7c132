package io.imgcast.cast;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes everything that parses bytes from the network: the datagram check, the receiver's block
 * assembler behind it, and the server's feedback decoder. Runs its seed corpus as regression tests
 * under Surefire; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class WireFuzzTest {
    static final io.imgcast.cast.Wire.Key TEST_KEY = new io.imgcast.cast.Wire.Key(0x0123456789abcdefL, 0x0fedcba987654321L);
    private static final int SESSION = 42;
    private static final int T = CastSimulation.T;

    @FuzzTest(maxDuration = "20s")
    void datagramsNeverCrashTheReceiver(FuzzedDataProvider data) {
        byte[] raw = data.consumeRemainingAsBytes();
        ByteBuffer b = ByteBuffer.wrap(raw.clone());
        Wire.Reject why = Wire.check(b, TEST_KEY, SESSION, T);
        if (why != null) return;
        // a datagram that passes the check must be safe to feed to the assembler
        ChunkId id = ChunkId.hash(new byte[] {1}, 0, 1);
        BlockAssembler asm = new BlockAssembler(Map.of(id.prefix64(), id), T, 0);
        List<BlockAssembler.Completed> out = asm.onPacket(b, 1);
        for (BlockAssembler.Completed c : out) assertTrue(c.payload().length > 0);
        asm.reports(2);
    }

    @FuzzTest(maxDuration = "20s")
    void sealedThenMutatedDatagramsAreRejectedOrConsistent(FuzzedDataProvider data) {
        int k = data.consumeInt(1, Wire.MAX_K);
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER + T + Wire.TAG);
        Wire.seal(b, TEST_KEY, Wire.TYPE_SYMBOL, SESSION, 0, k, data.consumeInt(0, 255), data.consumeLong(), T);
        assertTrue(Wire.check(b.duplicate(), TEST_KEY, SESSION, T) == null, "a sealed packet passes");
        byte[] sealed = b.array().clone();
        int flips = data.consumeInt(1, 8);
        for (int i = 0; i < flips; i++) {
            int at = data.consumeInt(0, Wire.HEADER + T + Wire.TAG - 1);
            b.put(at, (byte) (b.get(at) ^ (1 + data.consumeInt(0, 254))));
        }
        // any change to header, body or tag is caught (CRC32C, then the tag under the key); flips
        // that cancel out (the same byte changed back) leave the sealed packet, which passes
        Wire.Reject r = Wire.check(b.duplicate(), TEST_KEY, SESSION, T);
        if (Arrays.equals(sealed, b.array())) assertNull(r, "an unchanged packet passes");
        else assertNotNull(r, "a corrupted packet was accepted");
    }

    @FuzzTest(maxDuration = "20s")
    void feedbackDecoderRejectsGarbageCleanly(FuzzedDataProvider data) {
        int count = data.consumeInt(0, 1000);
        byte[] body = data.consumeRemainingAsBytes();
        try {
            FeedbackFormat f = FeedbackFormat.decode(body, count);
            for (int i : f.completed()) assertTrue(i >= 0 && i < count);
        } catch (CorruptDataException expected) {
            // a clear refusal is the right answer to garbage
        }
    }
}
