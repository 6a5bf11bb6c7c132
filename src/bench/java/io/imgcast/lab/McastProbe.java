package io.imgcast.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * Tiny multicast sender/receiver run inside lab namespaces by {@link NetLabTest}.
 * <pre>
 *   recv GROUP PORT IFACE COUNT IDLE_MS   prints "ready", then "received N" once COUNT datagrams
 *                                         came or none came for IDLE_MS
 *   send GROUP PORT IFACE COUNT INTERVAL_MS  prints "sent N"
 * </pre>
 */
public final class McastProbe {
    private McastProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: McastProbe recv|send GROUP PORT IFACE COUNT IDLE_MS|INTERVAL_MS");
            System.exit(2);
        }
        InetAddress group = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        NetworkInterface nif = NetworkInterface.getByName(args[3]);
        if (nif == null) throw new IllegalArgumentException("no interface " + args[3]);
        int count = Integer.parseInt(args[4]);
        long ms = Long.parseLong(args[5]);
        switch (args[0]) {
            case "recv" -> receive(group, port, nif, count, ms);
            case "send" -> send(group, port, nif, count, ms);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void receive(InetAddress group, int port, NetworkInterface nif, int count, long idleMs)
            throws Exception {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(port));
            ch.join(group, nif);
            System.out.println("ready");
            System.out.flush();
            var sock = ch.socket();
            ByteBuffer buf = ByteBuffer.allocate(2048);
            sock.setSoTimeout((int) Math.max(1, idleMs));
            int got = 0;
            while (got < count) {
                java.net.DatagramPacket pkt = new java.net.DatagramPacket(buf.array(), buf.capacity());
                try {
                    sock.receive(pkt);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (new String(pkt.getData(), 0, pkt.getLength(), StandardCharsets.US_ASCII).startsWith("probe ")) got++;
            }
            System.out.println("received " + got);
        }
    }

    private static void send(InetAddress group, int port, NetworkInterface nif, int count, long intervalMs)
            throws Exception {
        try (DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET)) {
            ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
            InetSocketAddress to = new InetSocketAddress(group, port);
            for (int i = 0; i < count; i++) {
                ch.send(ByteBuffer.wrap(("probe " + i).getBytes(StandardCharsets.US_ASCII)), to);
                if (intervalMs > 0) Thread.sleep(intervalMs);
            }
            System.out.println("sent " + count);
        }
    }
}
