package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.server.CastServer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic, in-memory run of the protocol: one {@link Scheduler}, several receivers each
 * with a {@link BlockAssembler}, independent seeded packet loss, a simulated clock and link rate,
 * and periodic feedback. No sockets, no sleeping: used by tests to check protocol properties.
 */
final class CastSimulation {
    static final io.imgcast.cast.Wire.Key TEST_KEY = new io.imgcast.cast.Wire.Key(0x0123456789abcdefL, 0x0fedcba987654321L);
    static final class Rx {
        final int id;
        final double loss;
        final Random rnd;
        final Set<ChunkId> needs;
        final int priority;
        final long joinAtNs;
        BlockAssembler asm;
        final List<ChunkId> completedSinceReport = new ArrayList<>();
        final Map<ChunkId, byte[]> got = new HashMap<>();
        /** When each chunk was handed out (simulated ns). */
        final Map<ChunkId, Long> gotAt = new HashMap<>();
        /** Chunks of the files listed first ({@code serve --priority-files}). */
        Set<ChunkId> first = Set.of();
        long doneAtNs = -1;
        boolean joined;
        /** Growing table: chunks of it this receiver has learnt, and how many feedback rounds it learns late. */
        int known;
        int lagRounds;
        boolean left;

        Rx(int id, double loss, long seed, Set<ChunkId> needs, int priority, long joinAtNs) {
            this.id = id;
            this.loss = loss;
            this.rnd = new Random(seed);
            this.needs = needs;
            this.priority = priority;
            this.joinAtNs = joinAtNs;
        }
    }

    /** The session's symbol size: a 1500-byte MTU's. */
    static final int T = Wire.symbolSize(1500);
    final Scheduler scheduler = new Scheduler(0, Scheduler.Config.defaults(), 0, T);
    final Map<ChunkId, byte[]> payloads = new HashMap<>();
    final Map<ChunkId, ChunkMeta> meta = new HashMap<>();
    final List<Rx> rxs = new ArrayList<>();
    final long bitsPerSecond;
    final long feedbackNs = 100_000_000L;
    final long latencyNs = 1_000_000L;
    long now;
    long packets;
    /** Bytes on the wire: every packet with the imgcast, UDP/IP and Ethernet headers. */
    long wireBytes;
    long repairSymbols;
    long sourceSymbols;
    final List<Long> sentBlocksOrder = new ArrayList<>();
    final Map<Long, Integer> firstBurstOf = new HashMap<>();

    /** A table that grows while it is sent (a master reading its source): null when all is known at join. */
    List<ChunkMeta> growing;
    int revealPerRound;
    /** How much of the table was revealed at each feedback round so far. */
    final List<Integer> revealedAt = new ArrayList<>();

    /** The server's barrier for a growing table (receivers' needs go through it, as in {@link CastServer}). */
    final TableBarrier barrier = new TableBarrier(CastServer.LAG_NS);
    ChunkTable growingTable;
    final Map<ChunkId, Integer> growingIndex = new HashMap<>();

    /** Receivers learn {@code table} {@code perRound} chunks per feedback round, as from a {@link LiveTable}. */
    void growing(List<ChunkMeta> table, int perRound) {
        this.growing = table;
        this.growingTable = ChunkTable.of(table);
        this.revealPerRound = perRound;
        for (int i = 0; i < table.size(); i++) growingIndex.putIfAbsent(table.get(i).id(), i);
    }

    private void release() {
        barrier.release(now, id -> true, (id, priority, needs) -> scheduler.addNeeds(id, priority, needs, now));
    }

    private void learn(Rx rx, int upTo) {
        if (upTo <= rx.known) return;
        Map<Long, ChunkId> tags = new HashMap<>();
        byte[] bits = new byte[(upTo - rx.known + 7) / 8];
        for (int i = rx.known; i < upTo; i++) {
            ChunkMeta c = growing.get(i);
            if (!rx.needs.contains(c.id())) continue;
            tags.put(c.id().prefix64(), c.id());
            bits[(i - rx.known) >> 3] |= (byte) (1 << ((i - rx.known) & 7));
        }
        // as a receiver does: the assembler first, then the server
        rx.asm.want(tags);
        barrier.report(rx.id, rx.known, upTo, bits, now);
        rx.known = upTo;
    }

    CastSimulation(long bitsPerSecond) {
        this.bitsPerSecond = bitsPerSecond;
    }

    /** Adds {@code n} random chunks (stored = raw) of sizes in [min, max]; returns them. */
    List<ChunkMeta> chunks(int n, int min, int max, long seed) {
        Random r = new Random(seed);
        List<ChunkMeta> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[min + r.nextInt(max - min + 1)];
            r.nextBytes(b);
            ChunkId id = ChunkId.hash(b, 0, b.length);
            payloads.put(id, b);
            ChunkMeta m = new ChunkMeta(id, (byte) 0, b.length, b.length);
            meta.put(id, m);
            out.add(m);
        }
        return out;
    }

    Rx receiver(double loss, long seed, List<ChunkMeta> needs, int priority, long joinAtNs) {
        Set<ChunkId> s = new HashSet<>();
        for (ChunkMeta c : needs) s.add(c.id());
        Rx rx = new Rx(rxs.size() + 1, loss, seed, s, priority, joinAtNs);
        rxs.add(rx);
        return rx;
    }

    private void join(Rx rx) {
        if (growing != null) {
            rx.asm = new BlockAssembler(Map.of(), T, 30_000_000L);
            rx.asm.want(Map.of());
            rx.joined = true;
            barrier.add(rx.id, growingTable, rx.priority, now);
            return;
        }
        Map<Long, ChunkId> tags = new HashMap<>();
        List<ChunkMeta> m = new ArrayList<>();
        for (ChunkId id : rx.needs) {
            tags.put(id.prefix64(), id);
            m.add(meta.get(id));
        }
        m.sort((a, b) -> Long.compare(a.id().prefix64(), b.id().prefix64()));
        rx.asm = new BlockAssembler(tags, T, 30_000_000L);
        scheduler.addMachine(rx.id, rx.priority, m, rx.first, now);
        rx.joined = true;
    }

    /** Runs until every receiver finished or {@code limitNs} of simulated time passed; true if all finished. */
    boolean run(long limitNs) {
        long nextFeedback = feedbackNs;
        ByteBuffer pkt = ByteBuffer.allocate(Wire.MAX_PACKET);
        Map<Long, BlockData> data = new HashMap<>();
        while (now < limitNs) {
            for (Rx rx : rxs) if (!rx.joined && now >= rx.joinAtNs) join(rx);
            if (rxs.stream().allMatch(r -> r.doneAtNs >= 0)) return true;
            if (now >= nextFeedback) {
                if (growing != null) {
                    int last = revealedAt.isEmpty() ? 0 : revealedAt.get(revealedAt.size() - 1);
                    revealedAt.add(Math.min(growing.size(), last + revealPerRound));
                    for (Rx rx : rxs) {
                        int round = revealedAt.size() - 1 - rx.lagRounds;
                        if (rx.joined && rx.doneAtNs < 0 && round >= 0) learn(rx, revealedAt.get(round));
                    }
                    for (Rx rx : rxs) for (ChunkId c : rx.completedSinceReport) barrier.got(rx.id, growingIndex.get(c));
                    release();
                }
                for (Rx rx : rxs) {
                    if (!rx.joined || rx.doneAtNs >= 0) continue;
                    if (scheduler.has(rx.id)) {
                        scheduler.feedback(rx.id, new ArrayList<>(rx.completedSinceReport), rx.asm.reports(now), rx.asm.lossEstimate(), now + latencyNs);
                    }
                    rx.completedSinceReport.clear();
                    boolean learntAll = growing == null || rx.known == growing.size();
                    if (rx.asm.neededCount() == 0 && learntAll) {
                        rx.doneAtNs = now;
                        scheduler.removeMachine(rx.id);
                        barrier.remove(rx.id);
                    }
                }
                nextFeedback += feedbackNs;
            }
            Burst b = scheduler.next(now);
            if (b == null) {
                now = Math.min(nextFeedback, now + 1_000_000L);
                continue;
            }
            sentBlocksOrder.add(b.block().id());
            if (System.getenv("SIMTRACE") != null) System.out.printf("t=%d block %d k=%d repair=%b n=%d chunks=%d%n", now / 1000000, b.block().id(), b.block().k(), b.repair(), b.esis().length, b.block().chunks().size());
            firstBurstOf.putIfAbsent(b.block().id(), b.esis().length);
            BlockData d = data.computeIfAbsent(b.block().id(), k -> materialize(b.block()));
            if (b.directory()) deliver(pkt, b, Wire.TYPE_INFO, 0, d);
            for (int esi : b.esis()) {
                d.symbol(esi, pkt.array(), Wire.HEADER);
                deliver(pkt, b, Wire.TYPE_SYMBOL, esi, d);
                if (esi >= b.block().k()) repairSymbols++;
                else sourceSymbols++;
            }
            if (b.directory()) deliver(pkt, b, Wire.TYPE_INFO, 0, d);
        }
        return false;
    }

    private BlockData materialize(Block block) {
        return BlockData.of(block, T, block.chunks().stream().map(c -> payloads.get(c.id())).toList());
    }

    private void deliver(ByteBuffer pkt, Burst b, byte type, int esi, BlockData d) {
        int bodyLen = type == Wire.TYPE_INFO ? d.info.length : T;
        if (type == Wire.TYPE_INFO) System.arraycopy(d.info, 0, pkt.array(), Wire.HEADER, bodyLen);
        pkt.clear();
        Wire.seal(pkt, TEST_KEY, type, 7, b.burst(), b.block().k(), esi, b.block().id(), bodyLen);
        if (Wire.check(pkt, TEST_KEY, 7, T) != null) throw new AssertionError("sealed packet does not check");
        packets++;
        wireBytes += bodyLen + Wire.HEADER + Wire.IP_UDP + 14;
        now += (long) ((bodyLen + Wire.HEADER + Wire.IP_UDP) * 8e9 / bitsPerSecond);
        // a machine joins when its time comes, in the middle of a burst as a real one does
        for (Rx rx : rxs) if (!rx.joined && now >= rx.joinAtNs) join(rx);
        for (Rx rx : rxs) {
            if (!rx.joined || rx.doneAtNs >= 0 || rx.rnd.nextDouble() < rx.loss) continue;
            for (BlockAssembler.Completed c : rx.asm.onPacket(pkt.duplicate(), now)) {
                if (!c.id().matches(c.payload(), 0, c.payload().length)) throw new AssertionError("bad chunk delivered");
                rx.got.put(c.id(), c.payload());
                rx.gotAt.putIfAbsent(c.id(), now);
                rx.asm.done(c.id());
                rx.completedSinceReport.add(c.id());
            }
        }
    }

    long symbolBytes() {
        return (sourceSymbols + repairSymbols) * (long) T;
    }
}
