package io.imgcast.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The C library's socket calls through the foreign-function API (java.lang.foreign), for what the
 * JDK's DatagramChannel cannot do: recvmmsg/sendmmsg (many datagrams per system call), UDP_GRO
 * and UDP_SEGMENT (the kernel coalesces and segments), SO_RXQ_OVFL (the kernel's drop count) and
 * SO_RCVBUFFORCE. Linux on a 64-bit target only ({@link #AVAILABLE}); the constants and struct
 * layouts below are Linux's (the same on x86_64 and aarch64). Every call returns the C result;
 * {@link #errno()} is the calling thread's errno of its last call here.
 */
final class Libc {
    private Libc() {}

    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_RXQ_OVFL = 40;
    static final int IPPROTO_IP = 0;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int UDP_GRO = 104;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_WAITFORONE = 0x10000;
    static final int SHUT_RD = 0;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int EMSGSIZE = 90;

    /** struct iovec. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(ADDRESS.withName("base"), ValueLayout.JAVA_LONG.withName("len"));
    /** struct msghdr (56 bytes with its padding). */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("name"), JAVA_INT.withName("namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("iov"), ValueLayout.JAVA_LONG.withName("iovlen"),
            ADDRESS.withName("control"), ValueLayout.JAVA_LONG.withName("controllen"),
            JAVA_INT.withName("flags"), MemoryLayout.paddingLayout(4));
    /** struct mmsghdr: a msghdr and the byte count the call fills in (64 bytes). */
    static final StructLayout MMSGHDR = MemoryLayout.structLayout(MSGHDR.withName("hdr"), JAVA_INT.withName("len"), MemoryLayout.paddingLayout(4));
    static final long MMSG_SIZE = MMSGHDR.byteSize();
    static final long OFF_NAME = 0, OFF_NAMELEN = 8, OFF_IOV = 16, OFF_IOVLEN = 24, OFF_CONTROL = 32, OFF_CONTROLLEN = 40, OFF_FLAGS = 48, OFF_LEN = 56;
    /** struct cmsghdr's header: length (size_t), level, type; data 8-aligned after it. */
    static final int CMSG_HDR = 16;
    /** struct sockaddr_in. */
    static final int SOCKADDR_IN = 16;

    static final boolean AVAILABLE;
    private static final String WHY_NOT;
    private static final MethodHandle SOCKET, SETSOCKOPT, GETSOCKOPT, BIND, RECVMMSG, SENDMMSG, SENDMSG, CLOSE, SHUTDOWN, IF_NAMETOINDEX;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Each thread's errno capture, made once per thread (calls on the hot path allocate nothing). */
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(() -> Arena.global().allocate(CALL_STATE));

    static {
        MethodHandle socket = null, setsockopt = null, getsockopt = null, bind = null, recvmmsg = null, sendmmsg = null, sendmsg = null,
                close = null, shutdown = null, ifNameToIndex = null;
        String why = null;
        try {
            String os = System.getProperty("os.name", "");
            if (!os.equals("Linux")) throw new UnsupportedOperationException("not Linux (" + os + ")");
            if (ADDRESS.byteSize() != 8) throw new UnsupportedOperationException("not a 64-bit target");
            Linker linker = Linker.nativeLinker();
            SymbolLookup c = linker.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            socket = linker.downcallHandle(c.find("socket").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
            setsockopt = linker.downcallHandle(c.find("setsockopt").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
            getsockopt = linker.downcallHandle(c.find("getsockopt").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), errno);
            bind = linker.downcallHandle(c.find("bind").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
            recvmmsg = linker.downcallHandle(c.find("recvmmsg").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), errno);
            sendmmsg = linker.downcallHandle(c.find("sendmmsg").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), errno);
            sendmsg = linker.downcallHandle(c.find("sendmsg").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), errno);
            close = linker.downcallHandle(c.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
            shutdown = linker.downcallHandle(c.find("shutdown").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
            ifNameToIndex = linker.downcallHandle(c.find("if_nametoindex").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS), errno);
        } catch (Throwable t) { // no native access, another OS: the JDK's channels instead
            why = t.toString();
        }
        SOCKET = socket; SETSOCKOPT = setsockopt; GETSOCKOPT = getsockopt; BIND = bind; RECVMMSG = recvmmsg; SENDMMSG = sendmmsg;
        SENDMSG = sendmsg; CLOSE = close; SHUTDOWN = shutdown; IF_NAMETOINDEX = ifNameToIndex;
        WHY_NOT = why;
        AVAILABLE = why == null;
    }

    /** Why the batched sockets are not available here (null when they are). */
    static String whyNot() {
        return WHY_NOT;
    }

    private static MemorySegment state() {
        return STATE.get();
    }

    /** errno of this thread's last call through this class. */
    static int errno() {
        return (int) ERRNO.get(state(), 0L);
    }

    static int socket(int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state(), domain, type, protocol);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(state(), fd, level, name, value, len);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) GETSOCKOPT.invokeExact(state(), fd, level, name, value, len);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int bind(int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(state(), fd, addr, len);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int recvmmsg(int fd, MemorySegment msgs, int n, int flags, MemorySegment timeout) {
        try {
            return (int) RECVMMSG.invokeExact(state(), fd, msgs, n, flags, timeout);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int sendmmsg(int fd, MemorySegment msgs, int n, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(state(), fd, msgs, n, flags);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long sendmsg(int fd, MemorySegment msg, int flags) {
        try {
            return (long) SENDMSG.invokeExact(state(), fd, msg, flags);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(state(), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int shutdown(int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(state(), fd, how);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int ifNameToIndex(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (int) IF_NAMETOINDEX.invokeExact(state(), a.allocateFrom(name));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** An int socket option; true when the kernel took it. */
    static boolean setInt(int fd, int level, int name, int value) {
        try (Arena a = Arena.ofConfined()) {
            return setsockopt(fd, level, name, a.allocateFrom(JAVA_INT, value), 4) == 0;
        }
    }

    /** An int socket option's value, or -1 when it cannot be read. */
    static int getInt(int fd, int level, int name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocateFrom(JAVA_INT, 4);
            return getsockopt(fd, level, name, v, len) == 0 ? v.get(JAVA_INT, 0) : -1;
        }
    }

    /** A struct sockaddr_in for an IPv4 address (4 bytes, network order) and port. */
    static void sockaddrIn(MemorySegment at, byte[] addr, int port) {
        at.fill((byte) 0);
        at.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        at.set(ValueLayout.JAVA_BYTE, 2, (byte) (port >>> 8));
        at.set(ValueLayout.JAVA_BYTE, 3, (byte) port);
        MemorySegment.copy(addr, 0, at, ValueLayout.JAVA_BYTE, 4, 4);
    }
}
