package io.imgcast.server;

import io.imgcast.cast.Block;
import io.imgcast.cast.BlockData;
import io.imgcast.cast.Burst;
import io.imgcast.cast.ChunkMeta;
import io.imgcast.cast.DataCipher;
import io.imgcast.cast.Pacer;
import io.imgcast.cast.RateController;
import io.imgcast.cast.Scheduler;
import io.imgcast.cast.Wire;
import io.imgcast.net.DatagramOut;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Sends one stream: asks its {@link Scheduler} for the next burst, turns it into packets (the
 * block directory, then source or repair symbols) and paces them onto the multicast group.
 * All scheduler access is under {@code lock}, shared with the control API. Datagrams the pacer
 * lets go at once are handed to the stream's {@link DatagramOut}, flushed before the sender sleeps
 * or asks for the next burst: with the batched sender ({@code imgcast.net.batch.out=true}) they
 * leave together (one sendmmsg, runs of equal datagrams segmented by the kernel); with the JDK's
 * channel (the default, see {@link io.imgcast.net.McastSocket}) each leaves when handed over.
 *
 * <p>A chunk whose stored copy cannot be read or fails its check does not end the stream: it is
 * reported to {@link BadChunks} (which fails the machines that need it) and its place in the
 * block is filled with zeros, so the block's other chunks still reach the machines that need
 * them (a receiver checks every chunk against its id and never takes the filler).
 */
final class StreamSender implements Runnable {
    /** Told (without the lock held) of a chunk the stream could not read. */
    interface BadChunks {
        void failed(ChunkMeta chunk, String reason);
    }

    final int index;
    final Scheduler scheduler;
    final RateController rate;
    final InetSocketAddress group;
    private final Object lock;
    private final DatagramOut out;
    private final ImageCatalog.Payloads payloads;
    private final int session;
    /** The session's datagram key (a tag on every datagram) and the signer of block directories. */
    private final Wire.Key key;
    private final BlockData.Signer signer;
    /** Encrypts symbol bodies ({@code --encrypt}), or null. */
    private final DataCipher cipher;
    private final Pacer pacer;
    private final int symbolSize;
    private final BooleanSupplier gate;
    private final BadChunks badChunks;
    private final Map<Long, BlockData> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, BlockData> e) {
            return size() > 512;
        }
    };
    private static final boolean TRACE = System.getenv("IMGCAST_TRACE") != null;
    final AtomicLong packets = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong repairPackets = new AtomicLong();
    final AtomicLong infoPackets = new AtomicLong();
    private volatile boolean running = true;
    private volatile String failure;

    StreamSender(int index, Scheduler scheduler, RateController rate, InetSocketAddress group, Object lock,
                 DatagramOut out, ImageCatalog.Payloads payloads, int session, BooleanSupplier gate,
                 Wire.Key key, BlockData.Signer signer, DataCipher cipher, BadChunks badChunks) {
        this.cipher = cipher;
        this.key = key;
        this.signer = signer;
        this.gate = gate;
        this.badChunks = badChunks;
        this.index = index;
        this.scheduler = scheduler;
        this.rate = rate;
        this.group = group;
        this.lock = lock;
        this.out = out;
        this.payloads = payloads;
        this.session = session;
        this.pacer = new Pacer(rate.rate(), 128 * 1024, System.nanoTime());
        this.symbolSize = scheduler.symbolSize();
    }

    void stop() {
        running = false;
    }

    String failure() {
        return failure;
    }

    @Override
    public void run() {
        ByteBuffer pkt = ByteBuffer.allocate(Wire.MAX_PACKET);
        long lastBeat = 0;
        try {
            while (running) {
                long now = System.nanoTime();
                Burst b;
                synchronized (lock) {
                    rate.tick(now);
                    pacer.setRate(rate.rate());
                    b = gate.getAsBoolean() ? scheduler.next(now) : null;
                    if (b == null) {
                        if (now - lastBeat > 500_000_000L && scheduler.machineCount() > 0) {
                            heartbeat(pkt);
                            lastBeat = now;
                        }
                        try {
                            lock.wait(2);
                        } catch (InterruptedException e) {
                            return;
                        }
                        continue;
                    }
                }
                if (TRACE) System.err.printf("%d burst block=%d k=%d repair=%b n=%d burst=%d%n", (now / 1_000_000) % 100000, b.block().id(), b.block().k(), b.repair(), b.esis().length, b.burst());
                BlockData data = materialize(b.block());
                if (b.directory()) send(pkt, Wire.TYPE_INFO, b, 0, data.info);
                for (int esi : b.esis()) {
                    data.symbol(esi, pkt.array(), Wire.HEADER);
                    if (cipher != null) cipher.seal(pkt.array(), Wire.HEADER, symbolSize, b.block().k(), esi, b.block().id());
                    send(pkt, Wire.TYPE_SYMBOL, b, esi, null);
                    if (esi >= b.block().k()) repairPackets.incrementAndGet();
                }
                // the directory again at the end, for receivers that lost the first copy
                if (b.directory()) send(pkt, Wire.TYPE_INFO, b, 0, data.info);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
            running = false;
        }
    }

    private void heartbeat(ByteBuffer pkt) {
        pkt.clear();
        Wire.seal(pkt, key, Wire.TYPE_HEARTBEAT, session, 0, 0, 0, 0, 0);
        try {
            out.add(pkt);
            out.flush();
        } catch (IOException ignored) {
            // a heartbeat lost is harmless
        }
    }

    private void send(ByteBuffer pkt, byte type, Burst b, int esi, byte[] body) throws IOException {
        int bodyLen;
        if (type == Wire.TYPE_INFO) {
            System.arraycopy(body, 0, pkt.array(), Wire.HEADER, body.length);
            bodyLen = body.length;
            infoPackets.incrementAndGet();
        } else {
            bodyLen = cipher == null ? symbolSize : symbolSize + DataCipher.TAG;
        }
        pkt.clear();
        Wire.seal(pkt, key, type, session, b.burst(), b.block().k(), esi, b.block().id(), bodyLen);
        int size = pkt.remaining() + Wire.IP_UDP;
        while (true) {
            long d = pacer.delay(size, System.nanoTime());
            if (d == 0) break;
            out.flush(); // what the pacer let go leaves now, before the sleep
            // sleep until a good part of the bucket refilled: spinning per packet would burn a core
            LockSupport.parkNanos(Math.max(d, 150_000));
        }
        out.add(pkt);
        packets.incrementAndGet();
        bytes.addAndGet(size);
    }

    private BlockData materialize(Block block) {
        BlockData d = cache.get(block.id());
        if (d != null) return d;
        List<byte[]> ps = new ArrayList<>(block.chunks().size());
        for (ChunkMeta c : block.chunks()) {
            byte[] p;
            try {
                p = payloads.payload(c.id());
                if (p.length != c.storedLength()) throw new IOException("stored chunk " + c.id().shortHex() + " changed length");
            } catch (IOException | RuntimeException e) {
                badChunks.failed(c, e.getMessage() != null ? e.getMessage() : e.toString());
                p = new byte[c.storedLength()];
            }
            ps.add(p);
        }
        d = BlockData.of(block, symbolSize, ps, signer); // signed once per block: the cache keeps it
        cache.put(block.id(), d);
        return d;
    }

    /** Source symbols sent so far (data packets that are neither repair nor directory). */
    long sourcePackets() {
        return packets.get() - repairPackets.get() - infoPackets.get();
    }
}
