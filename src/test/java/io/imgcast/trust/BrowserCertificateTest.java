package io.imgcast.trust;

import io.imgcast.manifest.ImageSignature;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Browsers offer no ed25519 signature scheme: such a client gets the P-256 certificate (the admin
 * console opens), while a client that offers ed25519 (imgcast's own) gets the store key's.
 */
class BrowserCertificateTest {
    @Test
    void aClientWithoutEd25519GetsTheP256CertificateOthersTheStoreKey() throws Exception {
        Identity id = new Identity(ImageSignature.newKeyPair());
        assertEquals("EC", served(id, new String[] {"ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256"}).getPublicKey().getAlgorithm());
        X509Certificate own = served(id, new String[] {"ecdsa_secp256r1_sha256", "ed25519"});
        assertEquals(id.publicKey(), own.getPublicKey());
    }

    private static X509Certificate served(Identity id, String[] schemes) throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) id.serverContext().getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                } catch (Exception e) {
                    // the client's side reports
                }
            });
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            c.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                SSLParameters p = s.getSSLParameters();
                p.setSignatureSchemes(schemes);
                s.setSSLParameters(p);
                s.startHandshake();
                s.getInputStream().read();
                X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
                s.getOutputStream().write(1);
                t.join(5000);
                return cert;
            }
        }
    }
}
