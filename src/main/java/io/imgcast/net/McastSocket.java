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

/** Opens multicast sockets on one named interface; the only place that touches the network for data. */
public final class McastSocket {
    private McastSocket() {}

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
