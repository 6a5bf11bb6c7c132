package io.imgcast.net;

import io.imgcast.lab.NetLab;
import io.imgcast.testutil.Needs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batched sockets between two namespaces of the lab: exact datagrams with and without
 * UDP_SEGMENT / UDP_GRO, the kernel's drop count for overruns caused by not reading, and wake.
 */
class BatchSocketLabTest {
    /** One 1500-byte frame: 1500 - 20 (IPv4) - 8 (UDP). */
    private static final int MAX = 1472;
    private static NetLab lab;
    private static int port = 9300;

    @BeforeAll
    static void up() {
        Needs.lab();
        lab = NetLab.up(NetLab.uniqueName("bs"), 1, NetLab.Options.defaults());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    private static int ifindex(String host) throws Exception {
        String iface = lab.iface(host);
        return Netns.in(lab.netns(host), () -> Libc.ifNameToIndex(iface));
    }

    private static BatchReceiver receiver(InetSocketAddress g, int rcvbuf, boolean gro) throws Exception {
        int idx = ifindex("r1");
        return Netns.in(lab.netns("r1"), () -> new BatchReceiver(idx, g, MAX, rcvbuf, gro));
    }

    private static BatchSender sender(InetSocketAddress g, boolean gso) throws Exception {
        return sender(g, gso, MAX);
    }

    private static BatchSender sender(InetSocketAddress g, boolean gso, int max) throws Exception {
        int idx = ifindex("s");
        Inet4Address local = (Inet4Address) InetAddress.getByName(lab.address("s"));
        return Netns.in(lab.netns("s"), () -> new BatchSender(idx, local, 1, g, max, 1 << 20, gso));
    }

    /** Datagram i: its index, then bytes derived from it; sizes vary, with runs of full ones (GSO runs). */
    private static ByteBuffer datagram(int i) {
        int size = i % 7 == 3 ? 17 + (i * 131) % (MAX - 17) : MAX;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(0, i);
        for (int j = 4; j < size; j++) b.put(j, (byte) (i * 31 + j));
        return b;
    }

    private static InetSocketAddress group() throws Exception {
        return new InetSocketAddress(InetAddress.getByName("239.77.9.1"), port++);
    }

    /** Whether the server's device passes segmented sends on whole (a veth can) or cuts them as a NIC does (the lab's default). */
    private static void deviceSegments(boolean whole) {
        NetLab.ExecResult r = lab.run("s", java.time.Duration.ofSeconds(10), "ip", "link", "set", lab.iface("s"), "gso_max_segs", whole ? "65535" : "1");
        assertTrue(r.ok(), r.stderr());
    }

    @ParameterizedTest(name = "gso={0} gro={1}")
    @CsvSource({"true,true", "true,false", "false,true", "false,false"})
    void exactDatagramsArrive(boolean gso, boolean gro) throws Exception {
        Needs.lab();
        deviceSegments(true);
        InetSocketAddress g = group();
        int n = 300;
        try (BatchReceiver in = receiver(g, 8 << 20, gro); BatchSender out = sender(g, gso)) {
            // this lab's kernel (6.x) has both; the fallbacks are the runs with them off
            assertEquals(gso ? "sendmmsg+gso" : "sendmmsg", out.mechanism());
            assertEquals(gro ? "recvmmsg+gro" : "recvmmsg", in.mechanism());
            for (int i = 0; i < n; i++) out.add(datagram(i));
            out.flush();
            if (gso) assertTrue(out.syscalls() < n / 10, "batched: " + out.syscalls() + " sendmmsg calls for " + n + " datagrams");
            List<ByteBuffer> got = new ArrayList<>();
            for (int tries = 0; got.size() < n && tries < 50; tries++) {
                int k = in.receive();
                for (int j = 0; j < k; j++) {
                    ByteBuffer d = in.datagram(j);
                    ByteBuffer copy = ByteBuffer.allocate(d.remaining());
                    copy.put(d).flip();
                    got.add(copy);
                }
            }
            assertEquals(n, got.size(), "datagrams received");
            boolean[] seen = new boolean[n];
            for (ByteBuffer d : got) {
                int i = d.getInt(0);
                assertTrue(i >= 0 && i < n && !seen[i], "datagram " + i + " once");
                seen[i] = true;
                assertEquals(datagram(i), d, "datagram " + i + " byte for byte");
            }
            assertEquals(0, in.kernelDrops());
            // through veth and bridge a segmented send stays one packet up to the receiving socket
            if (gso && gro) assertTrue(in.coalesced() > 0, "runs arrived coalesced");
        }
    }

    @Test
    void aDeviceThatCutsSegmentedSendsDeliversSingleDatagrams() throws Exception {
        Needs.lab();
        deviceSegments(false);
        InetSocketAddress g = group();
        int n = 300;
        try (BatchReceiver in = receiver(g, 8 << 20, true); BatchSender out = sender(g, true)) {
            for (int i = 0; i < n; i++) out.add(datagram(i));
            out.flush();
            assertEquals("sendmmsg+gso", out.mechanism(), "the socket still segments; the device cuts");
            int got = 0;
            for (int tries = 0; got < n && tries < 50; tries++) {
                int k = in.receive();
                for (int j = 0; j < k; j++) {
                    ByteBuffer d = in.datagram(j);
                    assertEquals(datagram(d.getInt(0)), d);
                    got++;
                }
            }
            assertEquals(n, got);
            assertEquals(0, in.coalesced(), "cut at the device: nothing left to coalesce");
        }
    }

    @Test
    void datagramsLargerThanAFrameTurnSegmentationOffAndStillArrive() throws Exception {
        Needs.lab();
        InetSocketAddress g = group();
        int size = 3000; // two IP fragments each: the kernel refuses to segment them
        try (BatchReceiver in = Netns.in(lab.netns("r1"), () -> new BatchReceiver(ifindexOf("r1"), g, size, 8 << 20, true));
             BatchSender out = sender(g, true, size)) {
            assertEquals("sendmmsg+gso", out.mechanism());
            for (int i = 0; i < 10; i++) {
                ByteBuffer b = ByteBuffer.allocate(size).putInt(0, i);
                out.add(b);
            }
            out.flush();
            assertEquals("sendmmsg", out.mechanism(), "segmentation off after the kernel refused it");
            int got = 0;
            for (int tries = 0; got < 10 && tries < 25; tries++) {
                int k = in.receive();
                for (int j = 0; j < k; j++) {
                    assertEquals(size, in.datagram(j).remaining());
                    got++;
                }
            }
            assertEquals(10, got);
        }
    }

    private static int ifindexOf(String host) {
        return Libc.ifNameToIndex(lab.iface(host));
    }

    @Test
    void dropCounterCountsOverrunsOfAnUnreadSocket() throws Exception {
        Needs.lab();
        InetSocketAddress g = group();
        int n = 2000;
        // a small buffer, not read while n datagrams arrive: the kernel drops most of them
        try (BatchReceiver in = receiver(g, 64 << 10, false); BatchSender out = sender(g, false)) {
            for (int i = 0; i < n; i++) out.add(datagram(0).putInt(0, i));
            out.flush();
            Thread.sleep(200); // the bridge delivers in its own time; the count below does not depend on it
            int received = 0;
            int k;
            while ((k = in.receive()) > 0) received += k;
            // one more datagram after the flood: it carries the socket's final drop count
            out.add(datagram(0).putInt(0, -1));
            out.flush();
            int last = 0;
            for (int tries = 0; last == 0 && tries < 25; tries++) last = Math.max(0, in.receive());
            assertEquals(1, last, "the marker datagram");
            assertTrue(received < n, "some were dropped: received " + received);
            assertEquals(n - received, in.kernelDrops(), "every datagram sent and not received was counted as a kernel drop");
        }
    }

    @Test
    void wakeEndsAWaitingReceive() throws Exception {
        Needs.lab();
        InetSocketAddress g = group();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (BatchReceiver in = receiver(g, 1 << 20, true)) {
            Future<Integer> r = ex.submit(() -> {
                int k;
                for (int i = 0; i < 1000; i++) if ((k = in.receive()) != 0) return k;
                return 0;
            });
            Thread.sleep(50);
            in.wake();
            assertEquals(-1, r.get(java.util.concurrent.TimeUnit.SECONDS.toMillis(30), java.util.concurrent.TimeUnit.MILLISECONDS));
            assertEquals(-1, in.receive());
        } finally {
            ex.shutdownNow();
        }
    }
}
