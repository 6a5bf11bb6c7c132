package io.imgcast.receiver;

import io.imgcast.cast.BlockAssembler;
import io.imgcast.cast.DataCipher;
import io.imgcast.cast.Wire;
import io.imgcast.net.DatagramIn;
import io.imgcast.net.McastSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The receiving socket's thread: takes datagrams from a {@link DatagramIn} (one at a time from
 * the JDK's channel, or in batches from recvmmsg when {@code imgcast.net.batch.in=true}; see
 * {@link McastSocket}), checks each ({@link Wire#check}: its tag under the session's
 * datagram key, before anything is kept of it), hands it to the assembler (which copies its body
 * into place) and passes completed chunks to the {@link ChunkWriter}. No queue, no copy besides
 * the kernel's and the assembler's; {@link #wake} ends the socket's wait to change group or to
 * stop.
 */
final class DatagramLoop implements Runnable {
    private final NetworkInterface nif;
    private final AtomicReference<String> group;
    private final int session;
    private final Wire.Key key;
    /** Decrypts symbol bodies when the session encrypts ({@code --encrypt}), else null. */
    private final DataCipher cipher;
    private final int symbolSize;
    /** A SYMBOL body on the wire: the symbol, and its GCM tag when encrypted. */
    private final int symbolBody;
    private final SharedAssembler asm;
    private final ChunkWriter writer;
    private final Counters counters;
    private final Stop stop;
    /** The receiving socket now (woken by {@link #wake}). */
    private volatile DatagramIn socket;
    private volatile int port;

    DatagramLoop(NetworkInterface nif, String group, int session, Wire.Key key, DataCipher cipher, int symbolSize,
                 SharedAssembler asm, ChunkWriter writer, Counters counters, Stop stop) {
        this.key = key;
        this.cipher = cipher;
        this.symbolBody = symbolSize + (cipher == null ? 0 : DataCipher.TAG);
        this.nif = nif;
        this.group = new AtomicReference<>(group);
        this.session = session;
        this.symbolSize = symbolSize;
        this.asm = asm;
        this.writer = writer;
        this.counters = counters;
        this.stop = stop;
    }

    @Override
    public void run() {
        String current = null;
        DatagramIn in = null;
        boolean woken = false;
        try {
            while (stop.going()) {
                String want = group.get();
                if (in == null || woken || !want.equals(current)) {
                    if (in != null) in.close();
                    in = null;
                    InetSocketAddress g = McastSocket.parseGroup(want);
                    in = McastSocket.in(nif, g, Wire.MAX_PACKET + 64);
                    socket = in;
                    current = want;
                    port = g.getPort();
                    woken = false;
                    // wake may have come while we opened it: look again before waiting
                    if (!stop.running() || !group.get().equals(current)) continue;
                }
                woken = !receiveSome(in);
            }
        } catch (IOException | RuntimeException e) {
            stop.fail(e);
        } finally {
            try {
                if (in != null) in.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /**
     * Takes one batch (waiting a bounded while for it) and handles its datagrams; false when the
     * socket was woken. A method of its own (not a loop inside the thread's one long method), so
     * that the JIT compiles it early.
     */
    private boolean receiveSome(DatagramIn in) throws IOException {
        int n = in.receive();
        if (n < 0) return false;
        long now = n == 0 ? 0 : System.nanoTime();
        for (int i = 0; i < n; i++) {
            ByteBuffer buf = in.datagram(i);
            Wire.Reject why = Wire.check(buf, key, session, symbolSize, symbolBody);
            if (why != null) {
                counters.reject(why);
                continue;
            }
            if (cipher != null && Wire.type(buf) == Wire.TYPE_SYMBOL) {
                if (!cipher.open(buf, Wire.HEADER, symbolSize, Wire.k(buf), Wire.esi(buf), Wire.block(buf))) {
                    counters.reject(Wire.Reject.BAD_CIPHER);
                    continue;
                }
                buf.limit(Wire.HEADER + symbolSize); // the plaintext symbol, as the assembler takes it
            }
            List<BlockAssembler.Completed> done = asm.onPacket(buf, now, counters);
            for (BlockAssembler.Completed c : done) writer.submit(c);
        }
        return true;
    }

    /** The server moved this machine to another stream: the thread joins its group. */
    void moveTo(String g) {
        if (!g.equals(group.get())) {
            group.set(g);
            wake();
        }
    }

    /** Wakes the thread out of its blocking receive: to join another group, or to stop. */
    void wake() {
        DatagramIn in = socket;
        if (in != null) in.wake();
    }

    /**
     * Datagrams the kernel dropped on the current socket because its buffer was full (cumulative
     * for that socket, as the kernel reported it with SO_RXQ_OVFL); -1 when the socket cannot tell
     * (the JDK's channel: read /proc/net/udp for {@link #port} then).
     */
    long kernelDrops() {
        DatagramIn in = socket;
        return in == null ? 0 : in.kernelDrops();
    }

    /** How the current socket receives ("recvmmsg+gro", "recvmmsg", "channel"), or null before. */
    String mechanism() {
        DatagramIn in = socket;
        return in == null ? null : in.mechanism();
    }

    /** The group the thread is on, or joins next. */
    String group() {
        return group.get();
    }

    /** The local port of the group joined last (0 before), where the kernel counts its drops. */
    int port() {
        return port;
    }
}
