package io.imgcast.net;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A joined multicast group's datagrams, taken in batches. One thread receives; any thread may
 * {@link #wake} it. Implementations: {@link BatchReceiver} (recvmmsg, UDP_GRO, SO_RXQ_OVFL through
 * the foreign-function API) and {@link ChannelReceiver} (the JDK's DatagramChannel, one datagram
 * per call), chosen by {@link McastSocket#in}.
 */
public interface DatagramIn extends Closeable {
    /**
     * Waits for datagrams and takes what has arrived: returns how many ({@link #datagram} 0 to n-1
     * until the next call), 0 when none came in the wait ({@link BatchReceiver} waits at most
     * {@link McastSocket#WAIT_MS} ms), -1 once {@link #wake} or {@link #close} was called.
     */
    int receive() throws IOException;

    /**
     * The i-th datagram of the last {@link #receive}: its bytes from index 0 to its limit, position
     * 0. The buffer is reused by the next call; the caller may move its position and limit.
     */
    ByteBuffer datagram(int i);

    /**
     * Datagrams the kernel dropped on this socket because its receive buffer was full, cumulative
     * since it was opened, as the kernel last reported (SO_RXQ_OVFL); -1 when not known (the
     * caller may then read /proc/net/udp for the port).
     */
    long kernelDrops();

    /** How it receives, for logs and benchmarks: "recvmmsg+gro", "recvmmsg" or "channel". */
    String mechanism();

    /** Makes a waiting (and every later) {@link #receive} return -1 at once; any thread. */
    void wake();
}
