package io.imgcast.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.Enumeration;

/**
 * Opens multicast sockets on one named interface; the only place that touches the network for data.
 * {@link #in} and {@link #out} give the JDK's channels unless asked for the batched sockets
 * ({@link BatchReceiver}, {@link BatchSender}: recvmmsg/sendmmsg, UDP_GRO/UDP_SEGMENT,
 * SO_RXQ_OVFL through the foreign-function API, Linux only): {@code imgcast.net.batch.in=true},
 * {@code imgcast.net.batch.out=true} (system properties; {@code IMGCAST_JAVA_OPTS} passes them).
 * They are opt-in because in the lab's test of six receivers at 5% loss on a loaded machine
 * (MulticastLabTest, load average 30-50) they put more on the wire than the channels: the batched
 * sender (denser bursts: what the pacer lets go leaves in one sendmmsg) 2.9-5.3x the data, the
 * batched receiver with the channel sender 1.7-3.3x, the channels 1.2-1.6x; machines moved to the
 * slow stream. The receiver's share came from resetting all 32 slots' control lengths before each
 * call (native-memory writes, slow under C1, which the lab's receivers run) when most calls return
 * one or two datagrams; resetting only the filled slots gave 1.41x and 1.43x (two runs). The
 * receiver can be the default once a quiet machine confirms it. Further properties, for comparisons and
 * kernels that misbehave: {@code imgcast.net.gro=false}, {@code imgcast.net.gso=false},
 * {@code imgcast.net.rcvbuf=BYTES} (the receive buffer asked for, default {@link #RCVBUF}).
 */
public final class McastSocket {
    private McastSocket() {}

    /** The longest a batched receive waits before it returns empty-handed. */
    public static final int WAIT_MS = 200;
    /** Receive buffer asked for: about 11,000 datagrams of 1,500 bytes, 90 ms at 1 Gbit/s. */
    public static final int RCVBUF = 16 << 20;
    static final int SNDBUF = 4 << 20;

    private static boolean on(String property) {
        return !"false".equals(System.getProperty(property));
    }

    /** Null when the batched sockets can work here; else why not (a sentence). */
    public static String batchedOrWhyNot() {
        return Libc.AVAILABLE ? null : Libc.whyNot();
    }

    private static boolean asked(String property) {
        return "true".equals(System.getProperty(property));
    }

    /** Joins {@code group} on the interface for datagrams of at most {@code maxDatagram} bytes. */
    public static DatagramIn in(NetworkInterface nif, InetSocketAddress group, int maxDatagram) throws IOException {
        if (asked("imgcast.net.batch.in") && batchedOrWhyNot() == null) {
            return new BatchReceiver(nif.getIndex(), group, maxDatagram, Integer.getInteger("imgcast.net.rcvbuf", RCVBUF), on("imgcast.net.gro"));
        }
        return new ChannelReceiver(nif, group, maxDatagram);
    }

    /** Sends to {@code group} out of the interface, datagrams of at most {@code maxDatagram} bytes. */
    public static DatagramOut out(NetworkInterface nif, int ttl, InetSocketAddress group, int maxDatagram) throws IOException {
        if (asked("imgcast.net.batch.out") && batchedOrWhyNot() == null) {
            return new BatchSender(nif.getIndex(), (Inet4Address) ipv4(nif), ttl, group, maxDatagram, SNDBUF, on("imgcast.net.gso"));
        }
        return new ChannelSender(sender(nif, ttl), group);
    }

    public static NetworkInterface iface(String name) {
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) throw new IllegalArgumentException("no network interface named '" + name + "' (see 'ip link')");
            if (!nif.isUp()) throw new IllegalArgumentException("network interface '" + name + "' is down");
            return nif;
        } catch (SocketException e) {
            throw new IllegalArgumentException("cannot query interface " + name + ": " + e.getMessage());
        }
    }

    public static InetAddress ipv4(NetworkInterface nif) {
        Enumeration<InetAddress> a = nif.getInetAddresses();
        while (a.hasMoreElements()) {
            InetAddress x = a.nextElement();
            if (x instanceof Inet4Address) return x;
        }
        throw new IllegalArgumentException("interface " + nif.getName() + " has no IPv4 address");
    }

    /** A sending socket bound to the interface's address, multicast out of that interface only. */
    public static DatagramChannel sender(NetworkInterface nif, int ttl) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.bind(new InetSocketAddress(ipv4(nif), 0));
        return ch;
    }

    /** A receiving socket joined to {@code group} on the interface. */
    public static DatagramChannel receiver(NetworkInterface nif, InetSocketAddress group) throws IOException {
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 16 << 20);
        ch.bind(new InetSocketAddress(group.getPort()));
        MembershipKey k = ch.join(group.getAddress(), nif);
        if (!k.isValid()) throw new IOException("could not join " + group);
        return ch;
    }

    public static InetSocketAddress parseGroup(String s) {
        int c = s.lastIndexOf(':');
        if (c < 0) throw new IllegalArgumentException("group must be ADDR:PORT, got " + s);
        try {
            InetAddress a = InetAddress.getByName(s.substring(0, c));
            if (!a.isMulticastAddress()) throw new IllegalArgumentException(s + " is not a multicast address");
            return new InetSocketAddress(a, Integer.parseInt(s.substring(c + 1)));
        } catch (IOException | NumberFormatException e) {
            throw new IllegalArgumentException("bad group " + s + ": " + e.getMessage());
        }
    }
}
