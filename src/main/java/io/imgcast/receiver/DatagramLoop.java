package io.imgcast.receiver;

import io.imgcast.cast.BlockAssembler;
import io.imgcast.cast.DataCipher;
import io.imgcast.cast.Wire;
import io.imgcast.net.McastSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The receiving socket's thread: takes each datagram at once, checks it ({@link Wire#check}: its
 * tag under the session's datagram key, before anything is kept of it), hands it to the assembler (which copies its body into place) and passes completed chunks to
 * the {@link ChunkWriter}. One reused direct buffer, no queue, no copy besides the kernel's and
 * the assembler's; a blocking socket (no selector): {@link #wake} closes it to change group or
 * to stop.
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
    /** The receiving socket now (closed by {@link #wake}). */
    private volatile DatagramChannel channel;
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
        DatagramChannel ch = null;
        ByteBuffer buf = ByteBuffer.allocateDirect(Wire.MAX_PACKET + 64);
        try {
            while (stop.going()) {
                String want = group.get();
                if (ch == null || !ch.isOpen() || !want.equals(current)) {
                    if (ch != null) ch.close();
                    InetSocketAddress g = McastSocket.parseGroup(want);
                    ch = McastSocket.receiver(nif, g);
                    channel = ch;
                    current = want;
                    port = g.getPort();
                    // wake may have come while we opened it: look again before blocking
                    if (!stop.running() || !group.get().equals(current)) continue;
                }
                try {
                    receiveSome(ch, buf);
                } catch (ClosedChannelException e) {
                    // wake: a new group, or the end
                }
            }
        } catch (IOException | RuntimeException e) {
            stop.fail(e);
        } finally {
            try {
                if (ch != null) ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /**
     * Takes up to 64 datagrams, waiting for each. A method of its own (not a loop inside the
     * thread's one long method), so that the JIT compiles it early.
     */
    private void receiveSome(DatagramChannel ch, ByteBuffer buf) throws IOException {
        for (int n = 0; n < 64; n++) {
            buf.clear();
            ch.receive(buf);
            buf.flip();
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
            List<BlockAssembler.Completed> done = asm.onPacket(buf, System.nanoTime(), counters);
            for (BlockAssembler.Completed c : done) writer.submit(c);
        }
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
        DatagramChannel ch = channel;
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing
        }
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
