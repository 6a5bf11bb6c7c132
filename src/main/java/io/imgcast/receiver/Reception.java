package io.imgcast.receiver;

import io.imgcast.cast.BlockAssembler;
import io.imgcast.cast.DataCipher;
import io.imgcast.cast.DirectorySignature;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.net.McastSocket;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.URI;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One receive, the threads of a joined machine: the {@link DatagramLoop}, the {@link
 * ChunkWriter}, the {@link FeedbackLoop} and, for an image still being read, the {@link
 * LiveFeed}, around one {@link SharedAssembler}. Returns once every chunk needed is written;
 * throws the first failure, or when neither data nor table arrived for the stall timeout.
 */
final class Reception {
    /** What the join reply says of the machine's stream: the session id, symbol size and multicast group. */
    record Stream(int session, int symbolSize, String group, Wire.Key key, PublicKey signer,
                  DataCipher cipher) {}

    /** A block is reported once nothing of it came for this long. */
    private static final long QUIET_NS = 30_000_000L;

    private final String iface;
    private final URI server;
    private final long feedbackMs;
    private final long stallTimeoutMs;
    private final Counters counters;
    private final Progress progress;
    private final Supplier<ChunkCodec.Dictionary> dictionary;

    Reception(CastReceiver.Config config, Counters counters, Progress progress, Supplier<ChunkCodec.Dictionary> dictionary) {
        this.iface = config.iface();
        this.server = config.server();
        this.feedbackMs = config.feedbackMs();
        this.stallTimeoutMs = config.stallTimeoutMs();
        this.counters = counters;
        this.progress = progress;
        this.dictionary = dictionary;
    }

    /**
     * @param lacking the chunks the target lacks (a live image's come from {@code feed})
     * @param index   chunk → index in the image's chunk table
     * @param feed    the live table's follower, or null for an image read whole
     */
    void receive(ServerLink link, Stream stream, Set<ChunkId> lacking, Map<ChunkId, Integer> index, ChunkTarget target,
                 LiveFeed feed) throws IOException {
        NetworkInterface nif = McastSocket.iface(iface);
        Map<Long, ChunkId> byTag = new HashMap<>();
        for (ChunkId id : lacking) {
            if (byTag.put(id.prefix64(), id) != null) throw new IOException("two chunks of the image share a wire tag; cannot receive it by multicast");
        }
        BlockAssembler assembler = new BlockAssembler(byTag, stream.symbolSize(), QUIET_NS,
                p -> DirectorySignature.verify(stream.signer(), p));
        if (feed != null) assembler.want(Map.of()); // more chunks will come: remember finished blocks by their chunks
        SharedAssembler asm = new SharedAssembler(assembler, index);
        Stop stop = new Stop();
        AtomicLong lastProgressNs = new AtomicLong(System.nanoTime());
        ChunkWriter writer = new ChunkWriter(target, asm, dictionary, counters, progress, lastProgressNs, stop);
        DatagramLoop datagrams = new DatagramLoop(nif, stream.group(), stream.session(), stream.key(), stream.cipher(), stream.symbolSize(), asm, writer, counters, stop);
        FeedbackLoop feedback = new FeedbackLoop(link, asm, datagrams, counters, stop, feedbackMs, stallTimeoutMs, server);

        Thread rx = Thread.ofPlatform().name("imgcast-rx").start(datagrams);
        Thread fb = Thread.ofPlatform().daemon().name("imgcast-feedback").start(feedback);
        Thread tt = feed == null ? null : Thread.ofPlatform().daemon().name("imgcast-table").start(() -> feed.loop(asm, stop, lastProgressNs));
        try {
            while (stop.failure() == null) {
                boolean tableDone = feed == null || feed.complete();
                if (tableDone && asm.neededCount() == 0 && writer.idle()) break;
                // data held back on purpose (the session waits for its machines) is no stall
                if (link.held()) lastProgressNs.set(System.nanoTime());
                if (System.nanoTime() - lastProgressNs.get() > stallTimeoutMs * 1_000_000L) {
                    throw new IOException("no data arrived for " + stallTimeoutMs / 1000
                            + " s; is the server still running and the multicast route to this machine working?");
                }
                Stop.sleep(20);
            }
            Throwable t = stop.failure();
            if (t instanceof IOException io) throw io;
            if (t instanceof RuntimeException re) throw re;
            if (t != null) throw new IOException(t);
        } finally {
            stop.stop();
            datagrams.wake();
            writer.shutdown();
            try {
                rx.join(2000);
                writer.awaitTermination(30);
                fb.join(2000);
                if (tt != null) tt.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            counters.decodes = asm.decodes();
            counters.loss = asm.lossEstimate();
            feedback.send(true);
        }
    }
}
