package io.imgcast.net;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Datagrams to one multicast group, queued and sent in batches. One thread uses it.
 * Implementations: {@link BatchSender} (sendmmsg, UDP_SEGMENT through the foreign-function API)
 * and {@link ChannelSender} (the JDK's DatagramChannel: each datagram at once), chosen by
 * {@link McastSocket#out}.
 */
public interface DatagramOut extends Closeable {
    /**
     * Queues a copy of {@code datagram}'s remaining bytes (its position is not moved); sends the
     * queue first when it is full. Until {@link #flush}, queued datagrams may not have left.
     */
    void add(ByteBuffer datagram) throws IOException;

    /** Sends everything queued. */
    void flush() throws IOException;

    /** How it sends: "sendmmsg+gso", "sendmmsg" or "channel". */
    String mechanism();
}
