package io.imgcast.trust;

import io.imgcast.manifest.ImageSignature;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Trusts a TLS server by its key alone: the fingerprint of the public key in the certificate it
 * presents must match the {@link Pin}; no chain, no name, no expiry (the server's certificate is
 * self-signed, {@link Identity}). Without a pin it trusts on first use: the first key seen
 * becomes the pin for every later connection of this client (a server that changes its key
 * mid-session is refused), and {@link #seen()} tells it, for the user to note and pin.
 * That the server holds the private half is proven by the TLS 1.3 handshake itself (its
 * CertificateVerify signature), not by the certificate.
 */
public final class PinningTrustManager extends X509ExtendedTrustManager {
    /** The failure text; receivers map it to the trust exit status. */
    public static final String NOT_PINNED = "is not the pinned one";

    private final AtomicReference<String> pinned = new AtomicReference<>();
    private final Pin pin;

    /** {@code pin} null: trust on first use. */
    public PinningTrustManager(Pin pin) {
        this.pin = pin;
    }

    /** The fingerprint of the server key accepted, or null before the first connection. */
    public String seen() {
        return pinned.get();
    }

    /** A TLS 1.3 client context that trusts only by this manager. */
    public SSLContext context() {
        try {
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            c.init(null, new TrustManager[] {this}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS 1.3 in this JDK", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("the server presented no certificate");
        // the handshake's CertificateVerify proves the server holds the private half of this key
        X509Certificate leaf = chain[0];
        String fp = ImageSignature.fingerprint(leaf.getPublicKey().getEncoded());
        if (pin != null) {
            if (!pin.matches(fp)) throw new CertificateException("the server's key " + fp.substring(0, 16) + " " + NOT_PINNED);
            pinned.compareAndSet(null, fp);
            return;
        }
        if (!pinned.compareAndSet(null, fp) && !pinned.get().equals(fp)) {
            throw new CertificateException("the server's key changed to " + fp.substring(0, 16) + "; it " + NOT_PINNED + " (first seen "
                    + pinned.get().substring(0, 16) + ")");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates are not used");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
