package io.imgcast.trust;

import java.net.URI;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * What a client of the control API trusts: the server's key by its {@link Pin}
 * ({@code --server-key}), or else the first key it sees (trust on first use, which the client
 * says, printing the fingerprint); the key that must have signed the manifests ({@code
 * --image-key}; by default the server's own key, pinned or first seen: one identity); and
 * whether plain HTTP is allowed ({@code --insecure-http}, for a lab). One instance per
 * receive, so that a key first seen stays the pin for every later connection and rejoin.
 */
public final class ClientTrust {
    private final Pin serverKey;
    private final Pin imageKey;
    private final boolean insecureHttp;
    /** Whether the manifests must be signed by the server's key when no image key is given (one identity). */
    private final boolean imagesFollowServer;
    private final PinningTrustManager trustManager;
    private volatile SSLContext context;

    public ClientTrust(Pin serverKey, Pin imageKey, boolean insecureHttp) {
        this(serverKey, imageKey, insecureHttp, true);
    }

    private ClientTrust(Pin serverKey, Pin imageKey, boolean insecureHttp, boolean imagesFollowServer) {
        this.serverKey = serverKey;
        this.imageKey = imageKey;
        this.insecureHttp = insecureHttp;
        this.imagesFollowServer = imagesFollowServer;
        this.trustManager = new PinningTrustManager(serverKey);
    }

    /**
     * A peer receiver's trust in the master it found: the TLS connection pinned to {@code
     * announced}, the key the master's signed announcement names (the {@code --master-key} pin
     * or the first master heard); the manifests pinned to {@code imageKey} only (null: none), as
     * a master sending from a store serves manifests its store signed.
     */
    public static ClientTrust peer(Pin announced, Pin imageKey, boolean insecureHttp) {
        if (announced == null) throw new IllegalArgumentException("a peer master is trusted by the key it announced");
        return new ClientTrust(announced, imageKey, insecureHttp, false);
    }

    /** From the command line's words (null: not given); a clear {@link IllegalArgumentException} for a bad pin. */
    public static ClientTrust of(String serverKey, String imageKey, boolean insecureHttp) {
        return new ClientTrust(serverKey == null ? null : Pin.parse(serverKey), imageKey == null ? null : Pin.parse(imageKey), insecureHttp);
    }

    /**
     * The URL to use for a server given as {@code given}: {@code https} as given; {@code http}
     * upgraded to {@code https} on the same port (the control port speaks TLS) unless plain HTTP
     * is allowed. Ends with '/'.
     */
    public URI base(URI given) {
        String s = given.toString();
        if (!s.endsWith("/")) s += "/";
        String scheme = given.getScheme() == null ? "" : given.getScheme().toLowerCase(Locale.ROOT);
        if (given.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("the server must be a URL such as https://10.0.0.1:8470/, got '" + given + "'");
        }
        if (scheme.equals("http") && !insecureHttp) s = "https" + s.substring(4);
        return URI.create(s);
    }

    public boolean insecureHttp() {
        return insecureHttp;
    }

    public Pin serverKey() {
        return serverKey;
    }

    /** A TLS 1.3 client context that trusts the pinned (or first seen) key only. */
    public SSLContext context() {
        SSLContext c = context;
        if (c == null) context = c = trustManager.context();
        return c;
    }

    /** The pin the manifests' signing key must match: the image key, else the server key pinned or first seen over TLS, else none. */
    public Pin manifestPin() {
        if (imageKey != null) return imageKey;
        if (!imagesFollowServer) return null;
        if (serverKey != null) return serverKey;
        String seen = trustManager.seen();
        return seen == null ? null : new Pin(seen);
    }

    /** The fingerprint of the key trusted on first use (no pin given), or null. */
    public String firstUse() {
        return serverKey == null ? trustManager.seen() : null;
    }
}
