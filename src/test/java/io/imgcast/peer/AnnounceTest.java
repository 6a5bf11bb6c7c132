package io.imgcast.peer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The announcement datagram: round trip, every kind of damage rejected with its reason, and fuzzing. */
class AnnounceTest {
    static Announce sample(Phase state) {
        return new Announce(Announce.ANNOUNCE, 123456, 8471, "disk.img", "VOLUME", 1L << 30, 300L << 20, 120L << 20, 4800,
                "gpt 512B 1:2048+81920 2:83968+47071", state, 3, 4);
    }

    @Test
    void roundTrips() throws Exception {
        Announce a = sample(Phase.READY);
        byte[] d = a.encode();
        assertEquals(a, Announce.decode(d, d.length));
        assertTrue(a.joinable());
        assertFalse(sample(Phase.READING).joinable());
        Announce end = new Announce(Announce.END, 1, 2, "x", "TREE", 0, 0, 0, 0, "", Phase.ENDED, 0, 1);
        assertFalse(end.joinable());
        byte[] e = end.encode();
        assertEquals(end, Announce.decode(e, e.length));
    }

    private static Announce.Reject reject(byte[] d, int len) {
        return assertThrows(Announce.Invalid.class, () -> Announce.decode(d, len)).reason;
    }

    @Test
    void damageIsRejectedWithItsReason() {
        byte[] d = sample(Phase.READY).encode();
        assertEquals(Announce.Reject.SHORT, reject(d, 10));
        assertEquals(Announce.Reject.LENGTH, reject(d, d.length - 1)); // truncated
        byte[] m = d.clone();
        m[0] = 'X';
        assertEquals(Announce.Reject.MAGIC, reject(m, m.length));
        m = d.clone();
        m[4] = 9;
        assertEquals(Announce.Reject.VERSION, reject(m, m.length));
        m = d.clone();
        m[5] = 7;
        assertEquals(Announce.Reject.TYPE, reject(m, m.length));
        m = d.clone();
        m[20] ^= 1; // a flipped bit in the body
        assertEquals(Announce.Reject.CRC, reject(m, m.length));
        m = d.clone();
        m[8] ^= 1; // a forged session id without a matching checksum
        assertEquals(Announce.Reject.CRC, reject(m, m.length));
    }

    @Test
    void thePhaseTravelsByItsWireName() {
        for (Phase p : Phase.values()) {
            byte[] d = sample(p).encode();
            String body = new String(d, 14, d.length - 18, java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(body.contains("\"state\":\"" + p.name().toLowerCase() + "\""), body);
        }
    }

    @Test
    void aBodyWithMissingOrNegativeFieldsIsRejected() throws Exception {
        // a well-formed datagram whose JSON lacks fields: built by re-sealing a shortened body
        byte[] good = sample(Phase.READY).encode();
        String body = new String(good, 14, good.length - 18, java.nio.charset.StandardCharsets.UTF_8);
        for (String bad : new String[] {body.replace("\"name\"", "\"nom\""), body.replace("\"chunks\":4800", "\"chunks\":-1"),
                body.replace("\"state\":\"ready\"", "\"state\":\"napping\""), "[1,2]", "{"}) {
            byte[] b = bad.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(14 + b.length + 4);
            out.put(good, 0, 12).putShort((short) b.length).put(b);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(out.array(), 0, 14 + b.length);
            out.putInt((int) crc.getValue());
            assertEquals(Announce.Reject.BODY, reject(out.array(), out.capacity()), bad);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void arbitraryDatagramsAreRejectedCleanlyOrDecodeConsistently(FuzzedDataProvider data) {
        byte[] raw = data.consumeRemainingAsBytes();
        try {
            Announce a = Announce.decode(raw, raw.length);
            // whatever decodes re-encodes to something that decodes the same
            byte[] again = a.encode();
            assertEquals(a, Announce.decode(again, again.length));
        } catch (Announce.Invalid expected) {
            assertTrue(expected.reason != null);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void mutatedAnnouncementsAreRejected(FuzzedDataProvider data) {
        byte[] d = sample(data.consumeBoolean() ? Phase.READY : Phase.SENDING).encode();
        byte[] m = Arrays.copyOf(d, d.length);
        int flips = data.consumeInt(1, 3);
        for (int i = 0; i < flips; i++) {
            int at = data.consumeInt(0, m.length - 1);
            m[at] ^= (byte) (1 << data.consumeInt(0, 7));
        }
        if (Arrays.equals(m, d)) return;
        assertThrows(Announce.Invalid.class, () -> Announce.decode(m, m.length));
    }
}
