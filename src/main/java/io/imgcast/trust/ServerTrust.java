package io.imgcast.trust;

/**
 * How a server is trusted and whom it trusts: its {@link Identity} (null for a server with no key
 * to show), whether its control port speaks TLS with that identity ({@code tls}; plain HTTP only
 * for a lab, {@code --insecure-http}), which machines it serves ({@link Admission}), the admin
 * token admin requests must carry (null: no admin actions) and whether {@code status} needs it.
 */
public record ServerTrust(Identity identity, boolean tls, Admission admission, String adminToken, boolean statusNeedsAdmin) {
    public ServerTrust {
        if (tls && identity == null) throw new IllegalArgumentException("TLS needs an identity");
        if (admission == null) throw new IllegalArgumentException("admission is required");
        if (statusNeedsAdmin && adminToken == null) throw new IllegalArgumentException("status cannot need an admin token the server does not have");
    }

    /** Plain HTTP, anyone admitted, no admin: tests and embedded uses that need none of it. */
    public static ServerTrust open() {
        return new ServerTrust(null, false, Admission.ANY, null, false);
    }

    /** The identity's fingerprint, or null. */
    public String fingerprint() {
        return identity == null ? null : identity.fingerprint();
    }
}
