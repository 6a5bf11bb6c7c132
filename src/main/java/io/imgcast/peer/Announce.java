package io.imgcast.peer;

import com.fasterxml.jackson.jr.ob.JSON;
import io.imgcast.manifest.ImageSignature;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A master's announcement, sent periodically to the announce group: what it will send
 * (the "geometry"), where its control API listens and the master's key, signed by that key.
 * Datagram layout, big-endian:
 * <pre>
 *   0  4  magic "ICPA"
 *   4  1  version (2)
 *   5  1  type: 1 announce, 2 end of session
 *   6  4  session id (the data stream's session, from the master's control API)
 *  10  2  HTTP port of the control API
 *  12  2  body length L (at most 1200)
 *  14  L  body: UTF-8 JSON {name, kind, total_bytes, data_bytes, stored_bytes, chunks, layout, state, receivers,
 *         min_receivers, address, key}
 *  14+L 64 Ed25519 signature by {@code key} over bytes [0, 14+L)
 *  78+L 4 CRC-32C of bytes [0, 78+L)
 * </pre>
 * {@code key} is the master's public key (X.509, base64): its fingerprint is what receivers pin
 * ({@code --master-key}) or, unpinned, trust from the first master they join; {@code address}
 * is the master's IPv4 address for the control API ("" to use the datagram's source), inside the
 * signature so that a replayed announcement cannot send receivers elsewhere. An announcement
 * whose signature does not check under its own key is invalid; whose key is the right one, the
 * receiver decides ({@link Discovery}).
 * {@code state} is the master's {@link Phase} by its wire name: "reading" (the master is still
 * reading its source; nothing to join yet), "ready" (join now), "sending" (late joiners catch
 * up), or "ended".
 */
public record Announce(int type, int session, int httpPort, String name, String kind, long totalBytes, long dataBytes,
                       long storedBytes, long chunks, String layout, Phase state, int receivers, int minReceivers,
                       String address, String key) {
    public static final int ANNOUNCE = 1;
    public static final int END = 2;
    static final int VERSION = 2;
    static final int SIGNATURE = 64;
    static final int MAX_BODY = 1200;
    private static final byte[] MAGIC = {'I', 'C', 'P', 'A'};

    /** Why a datagram is not a valid announcement. */
    public enum Reject { SHORT, MAGIC, VERSION, TYPE, LENGTH, CRC, BODY, SIGNATURE }

    /** Thrown by {@link #decode} for a datagram that is not a valid announcement. */
    public static final class Invalid extends Exception {
        public final Reject reason;

        Invalid(Reject reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    public boolean joinable() {
        return type == ANNOUNCE && state.joinable();
    }

    /** The fingerprint of the master's key (64 hex digits). */
    public String fingerprint() {
        return ImageSignature.fingerprint(Base64.getDecoder().decode(key));
    }

    /** The datagram, signed with {@code signing}, the private half of {@link #key}. */
    public byte[] encode(PrivateKey signing) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("kind", kind);
        body.put("total_bytes", totalBytes);
        body.put("data_bytes", dataBytes);
        body.put("stored_bytes", storedBytes);
        body.put("chunks", chunks);
        body.put("layout", layout);
        body.put("state", state.toString());
        body.put("receivers", receivers);
        body.put("min_receivers", minReceivers);
        body.put("address", address);
        body.put("key", key);
        byte[] b;
        try {
            b = JSON.std.asBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (b.length > MAX_BODY) {
            // a very long layout: shorten it rather than fail the session
            body.put("layout", layout.substring(0, Math.min(layout.length(), 200)) + "...");
            try {
                b = JSON.std.asBytes(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(14 + b.length + SIGNATURE + 4);
        out.put(MAGIC).put((byte) VERSION).put((byte) type).putInt(session).putShort((short) httpPort).putShort((short) b.length).put(b);
        try {
            Signature sig = Signature.getInstance("Ed25519");
            sig.initSign(signing);
            sig.update(out.array(), 0, 14 + b.length);
            out.put(sig.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the announcement: " + e.getMessage(), e);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, 14 + b.length + SIGNATURE);
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** Parses and checks one datagram; never throws anything but {@link Invalid}. */
    public static Announce decode(byte[] d, int len) throws Invalid {
        if (len < 18 + SIGNATURE || len > d.length) throw new Invalid(Reject.SHORT, "datagram of " + len + " bytes is too short");
        for (int i = 0; i < 4; i++) if (d[i] != MAGIC[i]) throw new Invalid(Reject.MAGIC, "not an imgcast announcement");
        ByteBuffer b = ByteBuffer.wrap(d, 0, len);
        int version = b.get(4) & 0xff;
        if (version != VERSION) throw new Invalid(Reject.VERSION, "announcement version " + version + " (this imgcast speaks " + VERSION + ")");
        int type = b.get(5) & 0xff;
        if (type != ANNOUNCE && type != END) throw new Invalid(Reject.TYPE, "unknown announcement type " + type);
        int session = b.getInt(6);
        int port = b.getShort(10) & 0xffff;
        int bodyLen = b.getShort(12) & 0xffff;
        if (bodyLen > MAX_BODY || 14 + bodyLen + SIGNATURE + 4 != len) throw new Invalid(Reject.LENGTH, "announcement length does not add up");
        CRC32C crc = new CRC32C();
        crc.update(d, 0, 14 + bodyLen + SIGNATURE);
        if ((int) crc.getValue() != b.getInt(14 + bodyLen + SIGNATURE)) throw new Invalid(Reject.CRC, "announcement checksum is wrong");
        Announce a = body(d, type, session, port, bodyLen);
        try {
            Signature sig = Signature.getInstance("Ed25519");
            sig.initVerify(ImageSignature.publicKey(Base64.getDecoder().decode(a.key())));
            sig.update(d, 0, 14 + bodyLen);
            if (!sig.verify(d, 14 + bodyLen, SIGNATURE)) throw new Invalid(Reject.SIGNATURE, "announcement signature does not check");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Invalid(Reject.SIGNATURE, "announcement key or signature is unreadable: " + e.getMessage());
        }
        return a;
    }

    private static Announce body(byte[] d, int type, int session, int port, int bodyLen) throws Invalid {
        Map<String, Object> m;
        try {
            Object o = JSON.std.anyFrom(new String(d, 14, bodyLen, StandardCharsets.UTF_8));
            if (!(o instanceof Map<?, ?>)) throw new IOException("not an object");
            @SuppressWarnings("unchecked") Map<String, Object> mm = (Map<String, Object>) o;
            m = mm;
            return new Announce(type, session, port, str(m, "name"), str(m, "kind"), num(m, "total_bytes"), num(m, "data_bytes"),
                    num(m, "stored_bytes"), num(m, "chunks"), str(m, "layout"), Phase.of(str(m, "state")), (int) num(m, "receivers"),
                    (int) num(m, "min_receivers"), str(m, "address"), str(m, "key"));
        } catch (IOException | RuntimeException e) {
            throw new Invalid(Reject.BODY, "announcement body is unreadable: " + e.getMessage());
        }
    }

    private static String str(Map<String, Object> m, String k) throws IOException {
        Object v = m.get(k);
        if (!(v instanceof String s)) throw new IOException(k + " is missing");
        return s;
    }

    private static long num(Map<String, Object> m, String k) throws IOException {
        Object v = m.get(k);
        if (!(v instanceof Number n)) throw new IOException(k + " is missing");
        long x = n.longValue();
        if (x < 0) throw new IOException(k + " is negative");
        return x;
    }
}
