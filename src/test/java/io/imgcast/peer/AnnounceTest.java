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
    static final java.security.KeyPair KEY = io.imgcast.manifest.ImageSignature.newKeyPair();
    static final String PUBLIC = java.util.Base64.getEncoder().encodeToString(KEY.getPublic().getEncoded());

    static Announce sample(Phase state) {
        return new Announce(Announce.ANNOUNCE, 123456, 8471, "disk.img", "VOLUME", 1L << 30, 300L << 20, 120L << 20, 4800,
                "gpt 512B 1:2048+81920 2:83968+47071", state, 3, 4, "10.0.0.1", PUBLIC);
    }

    /** The datagram with {@code body} in place of its JSON, signed by {@code signer} and sealed. */
    private static byte[] reseal(byte[] good, byte[] body, java.security.PrivateKey signer) throws Exception {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(14 + body.length + 64 + 4);
        out.put(good, 0, 12).putShort((short) body.length).put(body);
        java.security.Signature sig = java.security.Signature.getInstance("Ed25519");
        sig.initSign(signer);
        sig.update(out.array(), 0, 14 + body.length);
        out.put(sig.sign());
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(out.array(), 0, 14 + body.length + 64);
        out.putInt((int) crc.getValue());
        return out.array();
    }

    private static String body(byte[] d) {
        return new String(d, 14, d.length - 18 - 64, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void onlyTheKeyItNamesCanSignAnAnnouncement() throws Exception {
        byte[] good = sample(Phase.READY).encode(KEY.getPrivate());
        assertEquals(io.imgcast.manifest.ImageSignature.fingerprint(KEY.getPublic().getEncoded()), Announce.decode(good, good.length).fingerprint());
        java.security.KeyPair forger = io.imgcast.manifest.ImageSignature.newKeyPair();
        // the master's key named, another key's signature: invalid
        byte[] forged = reseal(good, body(good).getBytes(java.nio.charset.StandardCharsets.UTF_8), forger.getPrivate());
        assertEquals(Announce.Reject.SIGNATURE, reject(forged, forged.length));
        // a session id changed and the checksum made again: the signature no longer checks
        byte[] m = reseal(good, body(good).getBytes(java.nio.charset.StandardCharsets.UTF_8), KEY.getPrivate());
        m[8] ^= 1;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(m, 0, m.length - 4);
        java.nio.ByteBuffer.wrap(m).putInt(m.length - 4, (int) crc.getValue());
        assertEquals(Announce.Reject.SIGNATURE, reject(m, m.length));
        // a forger's own key makes a valid announcement, with its own fingerprint: what a pin refuses
        Announce own = new Announce(Announce.ANNOUNCE, 123456, 8471, "disk.img", "VOLUME", 1L << 30, 1, 1, 1, "", Phase.READY, 0, 1, "",
                java.util.Base64.getEncoder().encodeToString(forger.getPublic().getEncoded()));
        byte[] o = own.encode(forger.getPrivate());
        assertTrue(!Announce.decode(o, o.length).fingerprint().equals(Announce.decode(good, good.length).fingerprint()));
    }

    @Test
    void roundTrips() throws Exception {
        Announce a = sample(Phase.READY);
        byte[] d = a.encode(KEY.getPrivate());
        assertEquals(a, Announce.decode(d, d.length));
        assertTrue(a.joinable());
        assertFalse(sample(Phase.READING).joinable());
        Announce end = new Announce(Announce.END, 1, 2, "x", "TREE", 0, 0, 0, 0, "", Phase.ENDED, 0, 1, "", PUBLIC);
        assertFalse(end.joinable());
        byte[] e = end.encode(KEY.getPrivate());
        assertEquals(end, Announce.decode(e, e.length));
    }

    private static Announce.Reject reject(byte[] d, int len) {
        return assertThrows(Announce.Invalid.class, () -> Announce.decode(d, len)).reason;
    }

    @Test
    void damageIsRejectedWithItsReason() {
        byte[] d = sample(Phase.READY).encode(KEY.getPrivate());
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
            byte[] d = sample(p).encode(KEY.getPrivate());
            String body = body(d);
            assertTrue(body.contains("\"state\":\"" + p.name().toLowerCase() + "\""), body);
        }
    }

    @Test
    void aBodyWithMissingOrNegativeFieldsIsRejected() throws Exception {
        // a well-formed datagram whose JSON lacks fields: built by re-sealing a shortened body
        byte[] good = sample(Phase.READY).encode(KEY.getPrivate());
        String body = body(good);
        for (String bad : new String[] {body.replace("\"name\"", "\"nom\""), body.replace("\"chunks\":4800", "\"chunks\":-1"),
                body.replace("\"state\":\"ready\"", "\"state\":\"napping\""), "[1,2]", "{"}) {
            byte[] out = reseal(good, bad.getBytes(java.nio.charset.StandardCharsets.UTF_8), KEY.getPrivate());
            assertEquals(Announce.Reject.BODY, reject(out, out.length), bad);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void arbitraryDatagramsAreRejectedCleanlyOrDecodeConsistently(FuzzedDataProvider data) {
        byte[] raw = data.consumeRemainingAsBytes();
        try {
            Announce a = Announce.decode(raw, raw.length);
            // whatever decodes is signed by the key it names, and decodes the same again
            assertEquals(a, Announce.decode(raw, raw.length));
            assertEquals(64, a.fingerprint().length());
        } catch (Announce.Invalid expected) {
            assertTrue(expected.reason != null);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void mutatedAnnouncementsAreRejected(FuzzedDataProvider data) {
        byte[] d = sample(data.consumeBoolean() ? Phase.READY : Phase.SENDING).encode(KEY.getPrivate());
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
