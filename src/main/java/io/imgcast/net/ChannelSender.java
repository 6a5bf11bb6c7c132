package io.imgcast.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** {@link DatagramOut} over the JDK's DatagramChannel: each datagram is sent when it is added. */
final class ChannelSender implements DatagramOut {
    private final DatagramChannel ch;
    private final InetSocketAddress group;

    ChannelSender(DatagramChannel ch, InetSocketAddress group) {
        this.ch = ch;
        this.group = group;
    }

    @Override
    public void add(ByteBuffer datagram) throws IOException {
        int p = datagram.position();
        ch.send(datagram, group);
        datagram.position(p);
    }

    @Override
    public void flush() {
        // nothing queued
    }

    @Override
    public String mechanism() {
        return "channel";
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
