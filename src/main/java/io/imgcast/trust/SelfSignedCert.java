package io.imgcast.trust;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A self-signed X.509 v3 certificate for an Ed25519 key pair (or an EC P-256 one: the browsers'
 * certificate, {@link Identity}), DER-encoded by hand (the JDK parses
 * certificates but has no public API to make one; the few fields needed here do not warrant a
 * dependency). What it says besides the key does not matter: receivers trust the key by its
 * fingerprint ({@link PinningTrustManager}), not by a chain or a name. Valid from a day before
 * it is made to 9999-12-31 (RFC 5280's "no well-defined expiration").
 */
final class SelfSignedCert {
    private static final byte[] ED25519 = {0x06, 0x03, 0x2b, 0x65, 0x70};
    /** ecdsa-with-SHA256, 1.2.840.10045.4.3.2. */
    private static final byte[] ECDSA_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};

    private SelfSignedCert() {}

    static X509Certificate make(KeyPair ed25519, String commonName, long nowMs) throws GeneralSecurityException {
        boolean ec = ed25519.getPublic().getAlgorithm().equals("EC");
        byte[] algorithm = seq(ec ? ECDSA_SHA256 : ED25519);
        byte[] name = seq(set(seq(COMMON_NAME, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
        ZonedDateTime from = ZonedDateTime.ofInstant(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC).minusDays(1);
        byte[] validity = seq(tlv(0x17, from.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII)),
                tlv(0x18, "99991231235959Z".getBytes(StandardCharsets.US_ASCII)));
        byte[] serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray();
        byte[] tbs = seq(tlv(0xa0, tlv(0x02, new byte[] {2})), tlv(0x02, serial), algorithm, name, validity, name,
                ed25519.getPublic().getEncoded());
        Signature s = Signature.getInstance(ec ? "SHA256withECDSA" : "Ed25519");
        s.initSign(ed25519.getPrivate());
        s.update(tbs);
        byte[] sig = s.sign();
        byte[] bits = new byte[sig.length + 1]; // no unused bits
        System.arraycopy(sig, 0, bits, 1, sig.length);
        byte[] der = seq(tbs, algorithm, tlv(0x03, bits));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        cert.verify(ed25519.getPublic());
        return cert;
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, cat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, cat(parts));
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** A DER tag, its definite length and the content. */
    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(content.length + 6);
        o.write(tag);
        int n = content.length;
        if (n < 0x80) {
            o.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            o.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) o.write(n >>> (8 * i));
        }
        o.writeBytes(content);
        return o.toByteArray();
    }
}
