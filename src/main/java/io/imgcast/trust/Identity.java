package io.imgcast.trust;

import io.imgcast.manifest.ImageSignature;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;

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
    /** For browsers, which take no Ed25519 certificate: a P-256 key made at start, and its self-signed certificate. */
    private final KeyPair browserKeys;
    private final X509Certificate browserCertificate;

    public Identity(KeyPair ed25519) {
        this.keys = ed25519;
        this.fingerprint = ImageSignature.fingerprint(ed25519.getPublic().getEncoded());
        try {
            this.certificate = SelfSignedCert.make(ed25519, "imgcast " + fingerprint.substring(0, 16), System.currentTimeMillis());
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            this.browserKeys = g.generateKeyPair();
            this.browserCertificate = SelfSignedCert.make(browserKeys, "imgcast console " + fingerprint.substring(0, 16), System.currentTimeMillis());
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

    /**
     * A TLS 1.3 server context presenting the certificate to every client that takes Ed25519
     * (imgcast's own, which pin it); a browser, which takes no Ed25519 certificate (Chromium and
     * Firefox offer no ed25519 signature scheme), gets the P-256 certificate instead, so that the
     * admin console opens (the browser warns that it does not know it, as for any self-signed one).
     */
    public SSLContext serverContext() {
        try {
            char[] pw = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, keys.getPrivate(), pw, new Certificate[] {certificate});
            ks.setKeyEntry(BROWSER_ALIAS, browserKeys.getPrivate(), pw, new Certificate[] {browserCertificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pw);
            X509KeyManager km = (X509KeyManager) kmf.getKeyManagers()[0];
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            c.init(new KeyManager[] {new Chooser(km)}, null, null);
            return c;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS with the key: " + e.getMessage(), e);
        }
    }

    private static final String ALIAS = "imgcast";
    private static final String BROWSER_ALIAS = "browser";

    /**
     * Picks the Ed25519 certificate for a client that offers ed25519, the P-256 one for any other:
     * TLS 1.3 asks for a key type per signature scheme the client offers, in the client's order.
     */
    private static final class Chooser extends X509ExtendedKeyManager {
        private final X509KeyManager km;

        Chooser(X509KeyManager km) {
            this.km = km;
        }

        private static String choose(String keyType, SSLSession handshake) {
            boolean ed = true;
            if (handshake instanceof ExtendedSSLSession x) {
                ed = Arrays.stream(x.getPeerSupportedSignatureAlgorithms()).anyMatch(a -> a.equalsIgnoreCase("ed25519") || a.equalsIgnoreCase("EdDSA"));
            }
            if (keyType.equals("EdDSA") || keyType.equals("Ed25519")) return ed ? ALIAS : null;
            if (keyType.equals("EC")) return ed ? null : BROWSER_ALIAS;
            return null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return choose(keyType, engine == null ? null : engine.getHandshakeSession());
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return choose(keyType, socket instanceof SSLSocket s ? s.getHandshakeSession() : null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return km.getServerAliases(keyType, issuers);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return km.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return km.getPrivateKey(alias);
        }
    }
}
