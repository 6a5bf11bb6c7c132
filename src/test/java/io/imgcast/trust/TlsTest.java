package io.imgcast.trust;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.imgcast.manifest.ImageSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store key's own certificate over TLS 1.3 on loopback, trusted by its pin only. */
class TlsTest {
    private final Identity server = new Identity(ImageSignature.newKeyPair());
    private HttpsServer https;
    private URI base;

    @BeforeEach
    void start() throws IOException {
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        https.setHttpsConfigurator(new HttpsConfigurator(server.serverContext()));
        https.createContext("/", ex -> {
            byte[] b = "hello".getBytes();
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        https.start();
        base = URI.create("https://127.0.0.1:" + https.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        https.stop(0);
    }

    private String get(PinningTrustManager tm) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) base.toURL().openConnection();
        c.setSSLSocketFactory(tm.context().getSocketFactory());
        c.setHostnameVerifier((h, s) -> true);
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes());
        }
    }

    @Test
    void theCertificateCarriesTheStoreKey() {
        assertEquals(server.publicKey(), server.certificate().getPublicKey());
        assertEquals(64, server.fingerprint().length());
        assertEquals(ImageSignature.fingerprint(server.certificate().getPublicKey().getEncoded()), server.fingerprint());
    }

    @Test
    void aPinnedClientConnectsToItsServerOnly() throws IOException {
        assertEquals("hello", get(new PinningTrustManager(Pin.parse(server.fingerprint().substring(0, 16)))));
        String other = ImageSignature.fingerprint(ImageSignature.newKeyPair().getPublic().getEncoded());
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> get(new PinningTrustManager(Pin.parse(other))));
        assertTrue(String.valueOf(e.getCause()).contains(PinningTrustManager.NOT_PINNED) || e.getMessage().contains(PinningTrustManager.NOT_PINNED), e.toString());
    }

    @Test
    void withoutAPinTheFirstKeyIsKeptAndAChangeRefused() throws IOException {
        PinningTrustManager tofu = new PinningTrustManager(null);
        assertNull(tofu.seen());
        assertEquals("hello", get(tofu));
        assertEquals(server.fingerprint(), tofu.seen());
        https.stop(0);
        // another server (another key) on a new port: the same client refuses it
        Identity impostor = new Identity(ImageSignature.newKeyPair());
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        https.setHttpsConfigurator(new HttpsConfigurator(impostor.serverContext()));
        https.createContext("/", ex -> ex.sendResponseHeaders(500, -1));
        https.start();
        base = URI.create("https://127.0.0.1:" + https.getAddress().getPort() + "/");
        assertThrows(SSLHandshakeException.class, () -> get(tofu));
    }
}
