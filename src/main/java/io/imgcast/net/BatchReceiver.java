package io.imgcast.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link DatagramIn} through recvmmsg(2): up to {@link #SLOTS} datagrams per system call into
 * native buffers made once, read in place through ByteBuffer views (no copy, no allocation per
 * datagram). Where the kernel supports UDP_GRO, it may hand over several datagrams of one size
 * coalesced in one slot (with their size in a control message); they are split here, so callers
 * see single datagrams either way. SO_RXQ_OVFL makes the kernel report the socket's drop count
 * with each datagram ({@link #kernelDrops}). The receive buffer is forced to {@code rcvbuf} bytes
 * past net.core.rmem_max with SO_RCVBUFFORCE when the process may (CAP_NET_ADMIN), else asked
 * for with SO_RCVBUF. Waits are bounded by SO_RCVTIMEO ({@link McastSocket#WAIT_MS});
 * {@link #wake} shuts the socket's receive side down, which ends a wait at once.
 */
final class BatchReceiver implements DatagramIn {
    /** Messages per recvmmsg call. */
    static final int SLOTS = 32;
    /** A slot's size with UDP_GRO: the largest coalesced message. */
    static final int GRO_SLOT = 65536;
    /** Control bytes per slot: SO_RXQ_OVFL's u32 and UDP_GRO's int, each CMSG_SPACE(4) = 24. */
    private static final int CONTROL = 64;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msgs;
    private final MemorySegment control;
    private final MemorySegment data;
    private final int slotSize;
    private final int maxDatagram;
    private final boolean gro;
    /** Per slot, the views of its segments: [slot][0] the whole slot; [slot][j] the j-th coalesced datagram for {@link #viewGso}. */
    private final ByteBuffer[][] views;
    private final int[] viewGso;
    private final ByteBuffer[] out;
    private long drops = -1;
    /** Slots the last call filled (their control length must be set again). */
    private int filled = SLOTS;
    /** Messages that held more than one datagram (coalesced by UDP_GRO). */
    private long coalesced;
    private volatile boolean woken;
    private boolean closed;

    /**
     * Opens and joins. {@code maxDatagram}: the largest datagram expected (longer ones arrive cut
     * short); {@code gro}: ask for UDP_GRO (probed: off when the kernel refuses it).
     */
    BatchReceiver(int ifindex, InetSocketAddress group, int maxDatagram, int rcvbuf, boolean gro) throws IOException {
        if (!Libc.AVAILABLE) throw new IOException("batched sockets not available: " + Libc.whyNot());
        int s = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) throw new IOException("socket: errno " + Libc.errno());
        this.fd = s;
        boolean ok = false;
        try {
            Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1);
            if (!Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, rcvbuf)) Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, rcvbuf);
            Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_RXQ_OVFL, 1);
            this.gro = gro && Libc.setInt(fd, Libc.SOL_UDP, Libc.UDP_GRO, 1);
            MemorySegment tv = arena.allocate(16);
            tv.set(JAVA_LONG, 0, McastSocket.WAIT_MS / 1000);
            tv.set(JAVA_LONG, 8, (McastSocket.WAIT_MS % 1000) * 1000L);
            if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv, 16) != 0) throw new IOException("SO_RCVTIMEO: errno " + Libc.errno());
            byte[] g = group.getAddress().getAddress();
            if (g.length != 4) throw new IOException("not an IPv4 group: " + group);
            MemorySegment sa = arena.allocate(Libc.SOCKADDR_IN);
            Libc.sockaddrIn(sa, g, group.getPort());
            // bound to the group: only its datagrams, none of another group on the same port
            if (Libc.bind(fd, sa, Libc.SOCKADDR_IN) != 0) throw new IOException("bind " + group + ": errno " + Libc.errno());
            MemorySegment mreq = arena.allocate(12);
            MemorySegment.copy(g, 0, mreq, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, 4);
            mreq.set(JAVA_INT, 8, ifindex);
            if (Libc.setsockopt(fd, Libc.IPPROTO_IP, Libc.IP_ADD_MEMBERSHIP, mreq, 12) != 0) {
                throw new IOException("could not join " + group + ": errno " + Libc.errno());
            }
            this.maxDatagram = maxDatagram;
            this.slotSize = this.gro ? GRO_SLOT : maxDatagram;
            this.msgs = arena.allocate(Libc.MMSG_SIZE * SLOTS, 8);
            this.control = arena.allocate((long) CONTROL * SLOTS, 8);
            this.data = arena.allocate((long) slotSize * SLOTS, 64);
            MemorySegment iovs = arena.allocate(Libc.IOVEC.byteSize() * SLOTS, 8);
            this.views = new ByteBuffer[SLOTS][];
            this.viewGso = new int[SLOTS];
            int perSlot = this.gro ? GRO_SLOT / Math.max(1, Math.min(maxDatagram, 512)) + 1 : 1;
            this.out = new ByteBuffer[SLOTS * perSlot];
            for (int i = 0; i < SLOTS; i++) {
                MemorySegment slot = data.asSlice((long) i * slotSize, slotSize);
                MemorySegment iov = iovs.asSlice(i * Libc.IOVEC.byteSize(), Libc.IOVEC.byteSize());
                iov.set(ADDRESS, 0, slot);
                iov.set(JAVA_LONG, 8, slotSize);
                MemorySegment m = msgs.asSlice(i * Libc.MMSG_SIZE, Libc.MMSG_SIZE);
                m.set(ADDRESS, Libc.OFF_NAME, MemorySegment.NULL);
                m.set(JAVA_INT, Libc.OFF_NAMELEN, 0);
                m.set(ADDRESS, Libc.OFF_IOV, iov);
                m.set(JAVA_LONG, Libc.OFF_IOVLEN, 1);
                m.set(ADDRESS, Libc.OFF_CONTROL, control.asSlice((long) i * CONTROL, CONTROL));
                m.set(JAVA_LONG, Libc.OFF_CONTROLLEN, CONTROL);
                views[i] = new ByteBuffer[perSlot];
                views[i][0] = slot.asByteBuffer();
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
    public int receive() throws IOException {
        if (woken) return -1;
        // the kernel shortened the control length of the slots it filled last time: only those
        // (each access to native memory costs, under C1 most of all)
        for (int i = 0; i < filled; i++) msgs.set(JAVA_LONG, i * Libc.MMSG_SIZE + Libc.OFF_CONTROLLEN, CONTROL);
        filled = 0;
        int n = Libc.recvmmsg(fd, msgs, SLOTS, Libc.MSG_WAITFORONE, MemorySegment.NULL);
        if (n > 0) filled = n;
        if (woken) return -1;
        if (n < 0) {
            int e = Libc.errno();
            if (e == Libc.EAGAIN || e == Libc.EINTR) return 0;
            throw new IOException("recvmmsg: errno " + e);
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            long m = i * Libc.MMSG_SIZE;
            int len = Math.min(msgs.get(JAVA_INT, m + Libc.OFF_LEN), slotSize);
            int gso = controls(i, msgs.get(JAVA_LONG, m + Libc.OFF_CONTROLLEN));
            if (gso <= 0 || gso >= len) {
                ByteBuffer b = views[i][0];
                b.clear().limit(len);
                out[count++] = b;
            } else {
                if (viewGso[i] != gso) segmentViews(i, gso);
                coalesced++;
                for (int at = 0, j = 0; at < len && j < views[i].length; at += gso, j++) {
                    ByteBuffer b = views[i][j];
                    b.clear().limit(Math.min(gso, len - at));
                    out[count++] = b;
                }
            }
        }
        return count;
    }

    /** Reads slot i's control messages: the drop count into {@link #drops}; returns UDP_GRO's segment size, or 0. */
    private int controls(int slot, long controlLen) {
        long base = (long) slot * CONTROL;
        long at = 0;
        int gso = 0;
        while (at + Libc.CMSG_HDR <= controlLen && at + Libc.CMSG_HDR <= CONTROL) {
            long len = control.get(JAVA_LONG, base + at);
            int level = control.get(JAVA_INT, base + at + 8);
            int type = control.get(JAVA_INT, base + at + 12);
            if (len < Libc.CMSG_HDR) break;
            if (level == Libc.SOL_SOCKET && type == Libc.SO_RXQ_OVFL && len >= Libc.CMSG_HDR + 4) {
                drops = Math.max(drops, control.get(JAVA_INT, base + at + Libc.CMSG_HDR) & 0xffffffffL);
            } else if (level == Libc.SOL_UDP && type == Libc.UDP_GRO && len >= Libc.CMSG_HDR + 4) {
                gso = control.get(JAVA_INT, base + at + Libc.CMSG_HDR);
            }
            at += (len + 7) & ~7L;
        }
        return gso;
    }

    /** Views of slot i's coalesced datagrams of {@code gso} bytes (made once per segment size). */
    private void segmentViews(int slot, int gso) {
        MemorySegment s = data.asSlice((long) slot * slotSize, slotSize);
        ByteBuffer[] v = views[slot];
        for (int j = 1; j < v.length; j++) {
            long off = (long) j * gso;
            v[j] = off < slotSize ? s.asSlice(off, Math.min(gso, slotSize - off)).asByteBuffer() : null;
        }
        viewGso[slot] = gso;
    }

    @Override
    public ByteBuffer datagram(int i) {
        return out[i];
    }

    @Override
    public long kernelDrops() {
        return Math.max(drops, 0);
    }

    @Override
    public String mechanism() {
        return gro ? "recvmmsg+gro" : "recvmmsg";
    }

    boolean gro() {
        return gro;
    }

    /** Messages so far that held several datagrams, coalesced by the kernel (UDP_GRO). */
    long coalesced() {
        return coalesced;
    }

    int maxDatagram() {
        return maxDatagram;
    }

    @Override
    public void wake() {
        woken = true;
        Libc.shutdown(fd, Libc.SHUT_RD);
    }

    @Override
    public synchronized void close() {
        woken = true;
        if (closed) return;
        closed = true;
        Libc.close(fd);
        arena.close();
    }
}
