package io.imgcast.peer;


import io.imgcast.net.McastSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.PrivateKey;
import java.util.function.Supplier;

/** Sends the master's current {@link Announce}, signed, to the announce group every {@code periodMs}, on its own thread. */
final class Announcer implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress group;
    private final Supplier<Announce> current;
    private final PrivateKey signing;
    private final long periodMs;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String failure;

    Announcer(NetworkInterface nif, int ttl, InetSocketAddress group, Supplier<Announce> current, PrivateKey signing,
              long periodMs) throws IOException {
        this.signing = signing;
        this.channel = McastSocket.sender(nif, ttl);
        this.group = group;
        this.current = current;
        this.periodMs = periodMs;
        this.thread = Thread.ofPlatform().daemon().name("imgcast-announce").start(this::loop);
    }

    private void loop() {
        while (running) {
            sendNow();
            try {
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sends the current announcement at once (also used for the end-of-session burst). */
    void sendNow() {
        try {
            channel.send(ByteBuffer.wrap(current.get().encode(signing)), group);
        } catch (IOException e) {
            failure = e.getMessage();
        }
    }

    String failure() { return failure; }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
