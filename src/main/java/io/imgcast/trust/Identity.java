package io.imgcast.trust;

import io.imgcast.manifest.ImageSignature;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * A server's one identity: an Ed25519 key pair (a store's {@code store.key}, or a peer master's
 * fresh session key), its fingerprint ({@link ImageSignature#fingerprint}, what {@code serve}
 * prints and receivers pin) and a self-signed certificate for TLS made from the same key, so
 * that one pin covers both the TLS connection and the manifests' signatures.
 */
public final class Identity {
    private final KeyPair keys;
    private final String fingerprint;
    private final X509Certificate certificate;

    public Identity(KeyPair ed25519) {
        this.keys = ed25519;
        this.fingerprint = ImageSignature.fingerprint(ed25519.getPublic().getEncoded());
        try {
            this.certificate = SelfSignedCert.make(ed25519, "imgcast " + fingerprint.substring(0, 16), System.currentTimeMillis());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a certificate for the key: " + e.getMessage(), e);
        }
    }

    /** A store's identity: its private key file ({@code store.key}, PKCS#8) and public key. */
    public static Identity ofStore(Path storeKeyFile, PublicKey publicKey) throws IOException {
        try {
            return new Identity(new KeyPair(publicKey, ImageSignature.privateKey(Files.readAllBytes(storeKeyFile))));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the store key " + storeKeyFile + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the public key (64 hex digits). */
    public String fingerprint() {
        return fingerprint;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PublicKey publicKey() {
        return keys.getPublic();
    }

    /** A TLS 1.3 server context presenting the certificate. */
    public SSLContext serverContext() {
        try {
            char[] pw = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("imgcast", keys.getPrivate(), pw, new Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            c.init(kmf.getKeyManagers(), null, null);
            return c;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS with the key: " + e.getMessage(), e);
        }
    }
}
