package io.imgcast.peer;


import io.imgcast.net.McastSocket;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A receiver's side of the announcement (P2): listens on the announce group until a master's
 * session can be joined. Datagrams that are not valid signed announcements, belong to another
 * session than the one asked for, or come from another master than the pinned one (or, without
 * a pin, than the first one heard) are dropped and counted.
 */
public final class Discovery {
    /** A master that can be joined: its announcement and the address its control API is on. */
    public record Found(Announce announce, InetSocketAddress control) {}

    /** No session could be joined; the message says why and what to do. */
    public static final class NotFound extends IOException {
        NotFound(String m) {
            super(m);
        }
    }

    private final Map<Announce.Reject, Long> rejects = new EnumMap<>(Announce.Reject.class);
    private long otherSessions;
    private long otherMasters;

    /** Announcements of another master than the pinned one, or than the first one followed. */
    public long otherMasters() { return otherMasters; }

    public Map<Announce.Reject, Long> rejects() { return rejects; }

    public long otherSessions() { return otherSessions; }

    /**
     * Waits for a joinable announcement of {@code session} (any session when null). The wait
     * ends after {@code timeoutMs} without any announcement of a wanted session; while a master
     * announces that it is still reading its source, the wait goes on (it is alive). An ended
     * session fails at once. {@code onWaiting} sees announcements of a session not joinable yet.
     */
    public Found await(NetworkInterface nif, InetSocketAddress group, Integer session, long timeoutMs,
                       Consumer<Announce> onWaiting) throws IOException {
        return await(nif, group, session, null, timeoutMs, onWaiting);
    }

    /**
     * As {@link #await(NetworkInterface, InetSocketAddress, Integer, long, Consumer)}, heeding only
     * announcements signed by a key whose fingerprint starts with {@code pin} (lower-case hex, at
     * least 16 digits; null: the first master heard, and no other after it).
     */
    public Found await(NetworkInterface nif, InetSocketAddress group, Integer session, String pin, long timeoutMs,
                       Consumer<Announce> onWaiting) throws IOException {
        String masterKey = pin;
        long lastHeard = System.nanoTime();
        try (DatagramChannel ch = McastSocket.receiver(nif, group); Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ByteBuffer buf = ByteBuffer.allocate(2048);
            Integer following = session;
            while (System.nanoTime() - lastHeard < timeoutMs * 1_000_000L) {
                if (sel.select(200) == 0) continue;
                sel.selectedKeys().clear();
                while (true) {
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
                    if (from == null) break;
                    Announce a;
                    try {
                        a = Announce.decode(buf.array(), buf.position());
                    } catch (Announce.Invalid e) {
                        rejects.merge(e.reason, 1L, Long::sum);
                        continue;
                    }
                    if (masterKey != null && !a.fingerprint().startsWith(masterKey)) {
                        otherMasters++;
                        continue;
                    }
                    if (following != null && a.session() != following) {
                        otherSessions++;
                        continue;
                    }
                    if (!(from.getAddress() instanceof Inet4Address)) continue;
                    if (a.type() == Announce.END) {
                        if (following != null) {
                            throw new NotFound("session " + a.session() + " of " + from.getAddress().getHostAddress() + " has ended");
                        }
                        continue; // an ended session of someone else: keep looking
                    }
                    lastHeard = System.nanoTime();
                    InetAddress at = controlAddress(a, from.getAddress());
                    if (a.joinable()) return new Found(a, new InetSocketAddress(at, a.httpPort()));
                    following = a.session(); // stay with the first master heard while it gets ready
                    masterKey = a.fingerprint(); // ... and with its key
                    onWaiting.accept(a);
                }
            }
        }
        throw new NotFound(session == null
                ? "no imgcast master announced itself on " + group + " within " + timeoutMs / 1000 + " s; start 'imgcast send' on the master"
                + " (same network, same --announce group), or check the multicast route of this machine"
                : "session " + session + " was not announced on " + group + " within " + timeoutMs / 1000 + " s");
    }

    /** The signed address of the master's control API, or the datagram's source if it gave none (or an unreadable one). */
    private static InetAddress controlAddress(Announce a, InetAddress source) {
        if (a.address().isEmpty()) return source;
        try {
            return InetAddress.ofLiteral(a.address());
        } catch (IllegalArgumentException e) {
            return source;
        }
    }
}
