package io.imgcast.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * {@link DatagramIn} over the JDK's DatagramChannel: one datagram per call into one reused direct
 * buffer, for systems without the batched socket ({@link BatchReceiver}). Blocks until a datagram
 * comes; {@link #wake} closes the channel, which ends the wait.
 */
final class ChannelReceiver implements DatagramIn {
    private final DatagramChannel ch;
    private final ByteBuffer buf;
    private volatile boolean woken;

    ChannelReceiver(NetworkInterface nif, InetSocketAddress group, int maxDatagram) throws IOException {
        this.ch = McastSocket.receiver(nif, group);
        this.buf = ByteBuffer.allocateDirect(maxDatagram);
    }

    @Override
    public int receive() throws IOException {
        if (woken) return -1;
        buf.clear();
        try {
            ch.receive(buf);
        } catch (ClosedChannelException e) {
            if (woken) return -1;
            throw e;
        }
        buf.flip();
        return 1;
    }

    @Override
    public ByteBuffer datagram(int i) {
        if (i != 0) throw new IndexOutOfBoundsException(i);
        return buf;
    }

    @Override
    public long kernelDrops() {
        return -1;
    }

    @Override
    public String mechanism() {
        return "channel";
    }

    @Override
    public void wake() {
        woken = true;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        woken = true;
        ch.close();
    }
}
