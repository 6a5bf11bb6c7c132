package io.imgcast.swarm;

import io.imgcast.api.ControlJson;
import io.imgcast.api.DoneRequest;
import io.imgcast.api.FeedbackReply;
import io.imgcast.api.JoinReply;
import io.imgcast.api.JoinRequest;
import io.imgcast.cast.BlockAssembler;
import io.imgcast.cast.BlockReport;
import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.SignedManifest;
import io.imgcast.cast.Wire;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.net.McastSocket;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many receiving machines' state in one process, for the swarm benchmark ({@code bench/swarm.sh}).
 * Each virtual machine joins the real server over the real HTTP control API (from one of several
 * source addresses: the server admits at most 32 machines per address), reports its needs, and
 * takes the real multicast datagrams the process receives through its own independent loss: per
 * machine and block it keeps which symbols it got (not their bytes) and whether it has the
 * directory; a block is complete for it with the directory and k distinct symbols (the code is
 * MDS). It posts feedback ({@link FeedbackFormat}) as a real receiver does, skipping calm rounds,
 * and says done when it has every chunk.
 *
 * <p>The bytes are checked too: one full {@link BlockAssembler} takes every datagram (every chunk
 * of the image decoded and checked against its id), and {@code --sampled} machines run a full
 * assembler behind their own loss (decoding under loss, checked the same way).
 *
 * <p>Prints one JSON line: machines, done, verified, feedback requests, seconds.
 */
public final class SwarmHarness {
    private static final long QUIET_NS = 30_000_000L;

    /** One block as one virtual machine saw it. */
    private static final class Seen {
        final long[] esis = new long[4];
        int count;
        int burst;
        long lastNs;
        boolean dir;
        boolean counted;
        int from = -1;
    }

    private static final class Vm {
        final int index;
        final HttpClient http;
        final SplittableRandom rnd;
        int id;
        String token;
        String base;
        final Map<Long, Seen> blocks = new HashMap<>();
        final Set<Long> finished = new HashSet<>();
        final boolean[] have;
        int remaining;
        final List<Integer> completed = new ArrayList<>();
        long packets;
        long sourceSeen;
        long sourceLost;
        boolean listening;
        long lastFeedbackNs;
        long nextFeedbackNs;
        boolean done;
        boolean doneSent;
        volatile boolean saidDone;
        long doneAtNs;
        BlockAssembler full;
        int stream;
        final Set<ChunkId> fullGot = new HashSet<>();

        Vm(int index, HttpClient http, long seed, int chunks) {
            this.index = index;
            this.http = http;
            this.rnd = new SplittableRandom(seed);
            this.have = new boolean[chunks];
            this.remaining = chunks;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        String server = a.get("server");
        String image = a.get("image");
        int machines = Integer.parseInt(a.get("machines"));
        double loss = Double.parseDouble(a.getOrDefault("loss", "0.01"));
        String name = a.getOrDefault("name", "sw");
        String ifName = a.getOrDefault("interface", "eth0");
        List<InetAddress> sources = new ArrayList<>();
        for (String s : a.get("sources").split(",")) sources.add(InetAddress.getByName(s));
        long periodMs = Long.parseLong(a.getOrDefault("period-ms", "100"));
        int sampled = Integer.parseInt(a.getOrDefault("sampled", "2"));
        long limitNs = Long.parseLong(a.getOrDefault("limit", "600")) * 1_000_000_000L;
        try {
            new SwarmHarness().run(server, image, machines, loss, name, ifName, sources, periodMs, sampled, limitNs);
        } catch (Exception e) {
            // one line all the same, so that the swarm's figures say what happened
            System.out.printf("{\"machines\":%d,\"done\":0,\"verified\":false,\"feedback_requests\":0,\"failure\":\"%s\"}%n", machines,
                    String.valueOf(e).replace('"', '\''));
            e.printStackTrace();
            System.exit(1);
        }
    }

    private final Map<Long, Integer> tagIndex = new HashMap<>();
    /** Decodes chunk payloads for the check against their ids (one thread: the datagram loop). */
    private ChunkCodec codec;
    private byte[] raw = new byte[1 << 20];

    /** Whether a decoded chunk's bytes have its id. */
    private boolean good(BlockAssembler.Completed c) {
        if (raw.length < c.rawLength()) raw = new byte[c.rawLength()];
        codec.decode(c.codec(), c.data(), c.offset(), c.length(), raw, 0, c.rawLength());
        return c.id().matches(raw, 0, c.rawLength());
    }
    private final Map<Long, long[]> blockTags = new HashMap<>();
    private final AtomicLong feedbackRequests = new AtomicLong();
    private final AtomicLong feedbackFailures = new AtomicLong();
    private volatile String failure;

    private void run(String server, String image, int n, double loss, String name, String ifName, List<InetAddress> sources,
                     long periodMs, int sampled, long limitNs) throws Exception {
        URI base = URI.create(server.endsWith("/") ? server : server + "/");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        Map<InetAddress, HttpClient> clients = new HashMap<>();
        for (InetAddress s : sources) {
            clients.put(s, HttpClient.newBuilder().localAddress(s).executor(pool).connectTimeout(Duration.ofSeconds(5))
                    .version(HttpClient.Version.HTTP_1_1).build());
        }
        // join every machine (at most 32 per source address, as the server admits)
        List<Vm> vms = new ArrayList<>();
        // the first machine joins alone and fetches the manifest; the rest join 16 at a time
        JoinReply first = join(clients.get(sources.get(0)), base, name, 0, image);
        HttpResponse<byte[]> mr = clients.get(sources.get(0)).send(HttpRequest.newBuilder(base.resolve("api/v1/machines/" + first.machineId() + "/manifest"))
                .header(Tokens.HEADER, first.token()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (mr.statusCode() != 200) throw new IOException("manifest: HTTP " + mr.statusCode());
        SignedManifest sm = SignedManifest.decode(mr.body());
        codec = new ChunkCodec(ChunkCodec.DEFAULT_LEVEL, sm.dictionary() != null ? new ChunkCodec.Dictionary(sm.dictionary()) : null);
        List<ChunkId> table = new ArrayList<>(ManifestFormat.decode(sm.manifest()).distinctChunks().keySet());
        int tableSize = table.size();
        for (int t = 0; t < table.size(); t++) tagIndex.put(table.get(t).prefix64(), t);
        byte[] all0 = new byte[(table.size() + 7) / 8];
        for (int i = 0; i < table.size(); i++) all0[i >> 3] |= (byte) (1 << (i & 7));
        needs(clients.get(sources.get(0)), base, first, all0, table.size());
        Vm[] joined = new Vm[n];
        JoinReply[] replies = new JoinReply[n];
        replies[0] = first;
        ExecutorService joiners = Executors.newFixedThreadPool(16);
        List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            int at = i;
            fs.add(joiners.submit(() -> {
                replies[at] = join(clients.get(sources.get(at / 32)), base, name, at, image);
                // its needs at once, as a receiver does (a machine silent past the timeout is dropped)
                needs(clients.get(sources.get(at / 32)), base, replies[at], all0, tableSize);
                return null;
            }));
        }
        for (var f : fs) f.get();
        joiners.shutdown();
        for (int i = 0; i < n; i++) {
            Vm vm = new Vm(i, clients.get(sources.get(i / 32)), 0x5eedL * 31 + i * 7919L + name.hashCode(), table.size());
            vm.id = replies[i].machineId();
            vm.token = replies[i].token();
            vm.base = "api/v1/machines/" + vm.id + "/";
            joined[i] = vm;
        }
        vms.addAll(List.of(joined));
        final List<ChunkId> chunks = table;
        Map<Long, ChunkId> all = new HashMap<>();
        for (ChunkId id : chunks) all.put(id.prefix64(), id);
        for (int i = 0; i < Math.min(sampled, n); i++) vms.get(i).full = new BlockAssembler(all, first.symbolSize(), QUIET_NS);
        BlockAssembler reference = new BlockAssembler(all, first.symbolSize(), QUIET_NS);
        Set<ChunkId> referenceGot = new HashSet<>();
        // sockets: one per stream (the groups of stream 0 and 1)
        NetworkInterface nif = McastSocket.iface(ifName);
        InetSocketAddress g0 = McastSocket.parseGroup(first.group());
        Selector sel = Selector.open();
        for (int s = 0; s < 2; s++) {
            DatagramChannel ch = McastSocket.receiver(nif, new InetSocketAddress(g0.getAddress(), g0.getPort() + s));
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
        }
        Wire.Key key = Wire.Key.ofHex(first.wireKey());
        int session = first.session();
        int symbolSize = first.symbolSize();
        long t0 = System.nanoTime();
        long periodNs = periodMs * 1_000_000L;
        for (Vm vm : vms) vm.nextFeedbackNs = t0 + (long) (periodNs * (vm.index % 97) / 97.0);
        ByteBuffer buf = ByteBuffer.allocateDirect(Wire.MAX_PACKET);
        ByteBuffer heap = ByteBuffer.allocate(Wire.MAX_PACKET);
        long rejected = 0;
        long lastSocketNs = 0;
        int left = n;
        while (left > 0 && System.nanoTime() - t0 < limitNs && failure == null) {
            sel.select(5);
            for (SelectionKey k : sel.selectedKeys()) {
                DatagramChannel ch = (DatagramChannel) k.channel();
                for (int burst = 0; burst < 256; burst++) {
                    buf.clear();
                    if (ch.receive(buf) == null) break;
                    buf.flip();
                    heap.clear();
                    heap.put(buf);
                    heap.flip();
                    if (Wire.check(heap, key, session, symbolSize) != null) {
                        rejected++;
                        continue;
                    }
                    long now = System.nanoTime();
                    onDatagram(heap, vms, loss, now);
                    for (BlockAssembler.Completed c : reference.onPacket(heap.duplicate(), now)) {
                        if (!good(c)) throw new IllegalStateException("bad chunk decoded: " + c.id());
                        reference.done(c.id());
                        referenceGot.add(c.id());
                    }
                }
            }
            sel.selectedKeys().clear();
            long now = System.nanoTime();
            if (now - lastSocketNs > 50_000_000L) {
                long[] st = socketState(g0.getPort());
                kernelDrops = st[0];
                backlog = st[1] > 64 * 1024;
                lastSocketNs = now;
            }
            left = 0;
            for (Vm vm : vms) {
                if (!vm.saidDone) left++;
                if (vm.doneSent || now < vm.nextFeedbackNs) continue;
                vm.nextFeedbackNs = now + periodNs;
                feedback(vm, base, now, periodNs, t0);
            }
        }
        pool.shutdown();
        pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int done = 0;
        for (Vm vm : vms) if (vm.saidDone) done++;
        boolean sampledOk = true;
        for (Vm vm : vms) if (vm.full != null && vm.fullGot.size() != chunks.size()) sampledOk = false;
        boolean verified = done == n && referenceGot.size() == chunks.size() && sampledOk && failure == null;
        System.out.printf("{\"machines\":%d,\"done\":%d,\"verified\":%b,\"reference_chunks\":%d,\"chunks\":%d,\"sampled_ok\":%b,"
                        + "\"feedback_requests\":%d,\"feedback_failures\":%d,\"rejected\":%d,\"kernel_drops\":%d,\"seconds\":%.2f%s}%n",
                n, done, verified, referenceGot.size(), chunks.size(), sampledOk, feedbackRequests.get(), feedbackFailures.get(),
                rejected, socketState(g0.getPort())[0], seconds, failure == null ? "" : ",\"failure\":\"" + failure.replace('"', '\'') + "\"");
        System.exit(0);
    }

    /** Posts a machine's needs: the whole table. */
    private static void needs(HttpClient c, URI base, JoinReply r, byte[] bits, int size) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                HttpResponse<String> resp = c.send(HttpRequest.newBuilder(base.resolve("api/v1/machines/" + r.machineId() + "/needs?from=0&to=" + size))
                        .timeout(Duration.ofSeconds(20)).header(Tokens.HEADER, r.token()).header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bits)).build(), HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200) return;
                throw new IOException("needs: HTTP " + resp.statusCode() + " " + resp.body());
            } catch (java.net.http.HttpTimeoutException | java.net.ConnectException e) {
                Thread.sleep(200);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("needs: HTTP")) throw e;
                Thread.sleep(200);
            }
        }
        throw new IOException("needs: no answer");
    }

    /** Joins machine {@code i}, asking again while the server is busy or closed a kept-alive connection. */
    private static JoinReply join(HttpClient c, URI base, String name, int i, String image) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            HttpResponse<String> resp;
            try {
                resp = c.send(HttpRequest.newBuilder(base.resolve("api/v1/join")).timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(ControlJson.bytes(new JoinRequest(name + "-" + i, image, 0))))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                Thread.sleep(200);
                continue;
            }
            if (resp.statusCode() == 200) return ControlJson.read(JoinReply.class, resp.body());
            if (resp.statusCode() == 503) Thread.sleep(200);
            else throw new IOException("join refused: " + resp.statusCode() + " " + resp.body());
        }
        throw new IOException("could not join machine " + i);
    }

    /** One checked datagram, to every virtual machine through its own loss. */
    private void onDatagram(ByteBuffer p, List<Vm> vms, double loss, long now) {
        byte type = Wire.type(p);
        if (type == Wire.TYPE_HEARTBEAT) return;
        long block = Wire.block(p);
        int k = Wire.k(p);
        int burst = Wire.burst(p);
        if (type == Wire.TYPE_INFO && !blockTags.containsKey(block)) {
            int count = p.getShort(Wire.HEADER) & 0xffff;
            long[] tags = new long[count];
            for (int i = 0; i < count; i++) tags[i] = p.getLong(Wire.HEADER + 2 + i * Wire.INFO_ENTRY);
            blockTags.put(block, tags);
        }
        int esi = type == Wire.TYPE_SYMBOL ? Wire.esi(p) : -1;
        ks.putIfAbsent(block, k);
        for (Vm vm : vms) {
            if (vm.done) continue;
            if (vm.rnd.nextDouble() < loss) continue; // this machine's own loss
            synchronized (vm) {
                if (vm.full != null) {
                    for (BlockAssembler.Completed c : vm.full.onPacket(p.duplicate(), now)) {
                        if (!good(c)) throw new IllegalStateException("bad chunk at a sampled machine");
                        vm.full.done(c.id());
                        vm.fullGot.add(c.id());
                    }
                }
                take(vm, block, k, burst, type, esi, now);
            }
        }
    }

    private void take(Vm vm, long block, int k, int burst, byte type, int esi, long now) {
        if (vm.finished.contains(block)) return;
        vm.packets++;
        Seen s = vm.blocks.get(block);
        if (s == null) {
            s = new Seen();
            s.counted = burst != 0;
            if (!vm.listening && type == Wire.TYPE_SYMBOL && esi < k) s.from = esi;
            vm.blocks.put(block, s);
        }
        vm.listening = true;
        s.lastNs = now;
        s.burst = burst;
        if (type == Wire.TYPE_INFO) {
            if (s.count > 0 && !s.counted && burst == 0) {
                int held = 0;
                for (int j = Math.max(0, s.from); j < k; j++) if ((s.esis[j >> 6] & (1L << j)) != 0) held++;
                vm.sourceSeen += held;
                vm.sourceLost += k - Math.max(0, s.from) - held;
                s.counted = true;
            }
            s.dir = true;
            long[] tags = blockTags.get(block);
            boolean wanted = false;
            for (long t : tags) {
                Integer i = tagIndex.get(t);
                if (i != null && !vm.have[i]) wanted = true;
            }
            if (!wanted) {
                vm.blocks.remove(block);
                vm.finished.add(block);
                return;
            }
        } else {
            if ((s.esis[esi >> 6] & (1L << esi)) != 0) return;
            s.esis[esi >> 6] |= 1L << esi;
            s.count++;
        }
        if (s.dir && s.count >= k) {
            for (long t : blockTags.get(block)) {
                Integer i = tagIndex.get(t);
                if (i != null && !vm.have[i]) {
                    vm.have[i] = true;
                    vm.remaining--;
                    vm.completed.add(i);
                }
            }
            vm.blocks.remove(block);
            vm.finished.add(block);
            if (vm.remaining == 0) {
                vm.done = true;
                vm.doneAtNs = now;
            }
        }
    }

    /** This process's sockets' receive overruns (cumulative) and queued bytes, from /proc/self/net/udp. */
    private static long[] socketState(int port0) {
        long drops = 0;
        long queued = 0;
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/net/udp"));
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 13) continue;
                int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                if (port != port0 && port != port0 + 1) continue;
                drops += Long.parseLong(f[f.length - 1]);
                queued += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
            }
        } catch (IOException | RuntimeException e) {
            // no figures: none reported
        }
        return new long[] {drops, queued};
    }

    /** Overruns of this process's sockets so far, and whether datagrams wait in them now (a backlog). */
    private long kernelDrops;
    private boolean backlog;

    /** One feedback round of one machine (skipped when calm), or its done report. */
    private void feedback(Vm vm, URI base, long now, long periodNs, long t0) {
        byte[] body;
        boolean finishing;
        int[] done;
        synchronized (vm) {
            List<BlockReport> reports = new ArrayList<>();
            // while datagrams wait in the socket, blocks only look incomplete (as a real receiver does)
            for (Map.Entry<Long, Seen> e : vm.blocks.entrySet()) {
                Seen s = e.getValue();
                if (now - s.lastNs < QUIET_NS) continue;
                long[] tags = blockTags.get(e.getKey());
                int k = 0;
                int missing;
                if (tags == null || !s.dir) {
                    reports.add(new BlockReport(e.getKey(), s.burst, 0, true));
                    continue;
                }
                // k is not kept per machine: the sender's k is what the block's symbols carried
                k = kOf(e.getKey());
                missing = Math.max(0, k - s.count);
                if (missing > 0) reports.add(new BlockReport(e.getKey(), s.burst, missing, false));
            }
            finishing = vm.done;
            boolean calm = !finishing && reports.isEmpty() && vm.completed.isEmpty() && now - vm.lastFeedbackNs < 3 * periodNs;
            if (backlog) reports = null; // no word on blocks while datagrams wait in the socket, as a receiver does
            if (calm) return;
            done = vm.completed.stream().mapToInt(Integer::intValue).toArray();
            vm.completed.clear();
            long total = vm.sourceSeen + vm.sourceLost;
            double gaps = total == 0 ? 0 : (double) vm.sourceLost / total;
            // every machine of this process missed what its sockets dropped: told apart, as a receiver does
            double l = io.imgcast.cast.ReceiveLoss.network(gaps, vm.packets, kernelDrops);
            body = new FeedbackFormat(done, reports, vm.packets, 0, kernelDrops, (int) (l * 1e6), 0).encode();
            vm.lastFeedbackNs = now;
            if (finishing) vm.doneSent = true;
        }
        feedbackRequests.incrementAndGet();
        final int[] told = done;
        HttpRequest req = HttpRequest.newBuilder(base.resolve(vm.base + "feedback")).timeout(Duration.ofSeconds(10)).header(Tokens.HEADER, vm.token)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        vm.http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 200) {
                feedbackFailures.incrementAndGet();
                synchronized (vm) {
                    // completions that did not reach the server are told again next round, as a receiver does
                    for (int i : told) vm.completed.add(i);
                    if (finishing) vm.doneSent = false;
                }
                return;
            }
            try {
                vm.stream = ControlJson.read(FeedbackReply.class, r.body()).stream();
            } catch (IOException x) {
                feedbackFailures.incrementAndGet();
            }
            if (finishing) {
                vm.http.sendAsync(HttpRequest.newBuilder(base.resolve(vm.base + "done")).header(Tokens.HEADER, vm.token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(ControlJson.bytes(new DoneRequest(true, null, (vm.doneAtNs - t0) / 1e9))))
                        .build(), HttpResponse.BodyHandlers.ofString()).whenComplete((d, x) -> {
                            if (x == null && d.statusCode() == 200) vm.saidDone = true;
                        });
            }
        });
    }

    private final Map<Long, Integer> ks = new HashMap<>();

    private int kOf(long block) {
        Integer k = ks.get(block);
        return k == null ? Wire.MAX_K : k;
    }
}
