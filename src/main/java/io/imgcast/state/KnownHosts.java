package io.imgcast.state;

import io.imgcast.api.Host;
import io.imgcast.trust.Admission;

import java.net.InetAddress;

/**
 * {@code serve --admit known} over the inventory: a machine is admitted when the hardware address
 * it gives is a host's that the operator gave an image or a group. A machine merely registered
 * by the {@code register} default (no image, no group) is not: otherwise asking for an assignment
 * would be enough to be served. Read at each join, so that a host added while the server runs is
 * admitted at once.
 */
public final class KnownHosts implements Admission {
    private final StateDb db;

    public KnownHosts(StateDb db) {
        this.db = db;
    }

    @Override
    public boolean admits(String mac, InetAddress addr) {
        if (mac == null) return false;
        String m;
        try {
            m = Mac.normalize(mac);
        } catch (IllegalArgumentException e) {
            return false;
        }
        Host h = db.host(m);
        return h != null && (h.image() != null || h.group() != null);
    }
}
