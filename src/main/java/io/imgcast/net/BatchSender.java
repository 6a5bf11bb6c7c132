package io.imgcast.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@link DatagramOut} through sendmmsg(2): added datagrams are copied back to back into one native
 * buffer (up to {@link #BATCH}) and leave in one system call on {@link #flush}. Where the kernel
 * supports UDP_SEGMENT (generic segmentation offload, probed when opened), a run of datagrams of
 * one size goes as one message that the kernel (or the NIC) cuts into datagrams, so the stack is
 * walked once per run instead of once per datagram; on a device that cannot take it (EIO), or for
 * datagrams larger than one frame (EMSGSIZE), the sender falls back to one message per datagram for good. Blocking: a full send buffer waits.
 */
final class BatchSender implements DatagramOut {
    /** Datagrams per flush at most; a run sent as one UDP_SEGMENT message stays under 64 KiB. */
    static final int BATCH = 40;
    private static final int MAX_GSO_BYTES = 65000;
    /** CMSG_SPACE(2) for UDP_SEGMENT's u16. */
    private static final int CONTROL = 24;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msgs;
    private final MemorySegment iovs;
    private final MemorySegment control;
    private final MemorySegment data;
    private final MemorySegment dest;
    private final int maxDatagram;
    private final int[] lengths = new int[BATCH];
    private int count;
    private int used;
    private boolean gso;
    private long syscalls;
    private boolean closed;

    /**
     * Opens a socket sending out of interface {@code ifindex} (address {@code local}) to
     * {@code group}; {@code gso}: use UDP_SEGMENT when the kernel takes it.
     */
    BatchSender(int ifindex, Inet4Address local, int ttl, InetSocketAddress group, int maxDatagram, int sndbuf, boolean gso) throws IOException {
        if (!Libc.AVAILABLE) throw new IOException("batched sockets not available: " + Libc.whyNot());
        int s = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) throw new IOException("socket: errno " + Libc.errno());
        this.fd = s;
        boolean ok = false;
        try {
            MemorySegment mreq = arena.allocate(12);
            mreq.set(JAVA_INT, 8, ifindex);
            if (Libc.setsockopt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF, mreq, 12) != 0) throw new IOException("IP_MULTICAST_IF: errno " + Libc.errno());
            Libc.setInt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL, ttl);
            Libc.setInt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP, 0);
            if (!Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, sndbuf)) Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, sndbuf);
            MemorySegment sa = arena.allocate(Libc.SOCKADDR_IN);
            Libc.sockaddrIn(sa, local.getAddress(), 0);
            if (Libc.bind(fd, sa, Libc.SOCKADDR_IN) != 0) throw new IOException("bind " + local + ": errno " + Libc.errno());
            byte[] g = group.getAddress().getAddress();
            if (g.length != 4) throw new IOException("not an IPv4 group: " + group);
            this.dest = arena.allocate(Libc.SOCKADDR_IN);
            Libc.sockaddrIn(dest, g, group.getPort());
            // probe: the kernel knows UDP_SEGMENT when it takes the option (0 again: per message only)
            this.gso = gso && Libc.setInt(fd, Libc.SOL_UDP, Libc.UDP_SEGMENT, 1400) && Libc.setInt(fd, Libc.SOL_UDP, Libc.UDP_SEGMENT, 0);
            this.maxDatagram = maxDatagram;
            this.msgs = arena.allocate(Libc.MMSG_SIZE * BATCH, 8);
            this.iovs = arena.allocate(Libc.IOVEC.byteSize() * BATCH, 8);
            this.control = arena.allocate((long) CONTROL * BATCH, 8);
            this.data = arena.allocate((long) maxDatagram * BATCH, 64);
            for (int m = 0; m < BATCH; m++) { // what every message keeps: the group, its iovec, its control header
                long mo = (long) m * Libc.MMSG_SIZE;
                msgs.set(ADDRESS, mo + Libc.OFF_NAME, dest);
                msgs.set(JAVA_INT, mo + Libc.OFF_NAMELEN, Libc.SOCKADDR_IN);
                msgs.set(ADDRESS, mo + Libc.OFF_IOV, iovs.asSlice(m * Libc.IOVEC.byteSize(), Libc.IOVEC.byteSize()));
                msgs.set(JAVA_LONG, mo + Libc.OFF_IOVLEN, 1);
                long co = (long) m * CONTROL;
                control.set(JAVA_LONG, co, Libc.CMSG_HDR + 2);
                control.set(JAVA_INT, co + 8, Libc.SOL_UDP);
                control.set(JAVA_INT, co + 12, Libc.UDP_SEGMENT);
            }
            ok = true;
        } finally {
            if (!ok) {
                Libc.close(fd);
                arena.close();
            }
        }
    }

    @Override
    public void add(ByteBuffer datagram) throws IOException {
        int len = datagram.remaining();
        if (len > maxDatagram) throw new IllegalArgumentException("datagram of " + len + " bytes, at most " + maxDatagram);
        if (count == BATCH) flush();
        MemorySegment.copy(MemorySegment.ofBuffer(datagram), 0, data, used, len);
        lengths[count++] = len;
        used += len;
    }

    @Override
    public void flush() throws IOException {
        int sent = 0;
        while (sent < count) {
            int done = sendFrom(sent);
            if (done < 0) continue; // GSO refused: the same datagrams again, one message each
            sent += done;
        }
        count = 0;
        used = 0;
    }

    /** Sends datagrams from index {@code first} on; returns how many left, or -1 when UDP_SEGMENT failed and is now off. */
    private int sendFrom(int first) throws IOException {
        int off = 0;
        for (int i = 0; i < first; i++) off += lengths[i];
        int m = 0;
        int i = first;
        int[] datagramsOf = scratch;
        while (i < count) {
            int len = lengths[i];
            int run = 1;
            if (gso) {
                while (i + run < count && lengths[i + run] == len && (run + 1) * len <= MAX_GSO_BYTES) run++;
            }
            long mo = (long) m * Libc.MMSG_SIZE;
            long io = (long) m * Libc.IOVEC.byteSize();
            // raw addresses: no segment object per message
            iovs.set(JAVA_LONG, io, data.address() + off);
            iovs.set(JAVA_LONG, io + 8, (long) run * len);
            msgs.set(JAVA_INT, mo + Libc.OFF_FLAGS, 0);
            if (run > 1) {
                long co = (long) m * CONTROL;
                control.set(JAVA_SHORT, co + 16, (short) len);
                msgs.set(JAVA_LONG, mo + Libc.OFF_CONTROL, control.address() + co);
                msgs.set(JAVA_LONG, mo + Libc.OFF_CONTROLLEN, CONTROL);
            } else {
                msgs.set(JAVA_LONG, mo + Libc.OFF_CONTROL, 0L);
                msgs.set(JAVA_LONG, mo + Libc.OFF_CONTROLLEN, 0);
            }
            datagramsOf[m] = run;
            m++;
            off += run * len;
            i += run;
        }
        int n;
        do {
            n = Libc.sendmmsg(fd, msgs, m, 0);
            syscalls++;
        } while (n < 0 && Libc.errno() == Libc.EINTR);
        if (n < 0) {
            int e = Libc.errno();
            // EIO: the device cannot segment; EMSGSIZE/EINVAL: a segment does not fit one frame
            if (gso && (e == Libc.EIO || e == Libc.EMSGSIZE || e == Libc.EINVAL)) {
                gso = false;
                return -1;
            }
            throw new IOException("sendmmsg: errno " + e);
        }
        int left = 0;
        for (int k = 0; k < n; k++) left += datagramsOf[k];
        if (n == 0) throw new IOException("sendmmsg sent nothing");
        return left;
    }

    private final int[] scratch = new int[BATCH];

    @Override
    public String mechanism() {
        return gso ? "sendmmsg+gso" : "sendmmsg";
    }

    /** Whether runs of equal datagrams go as one UDP_SEGMENT message now. */
    boolean gso() {
        return gso;
    }

    /** sendmmsg calls made so far. */
    long syscalls() {
        return syscalls;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
        arena.close();
    }
}
