package io.imgcast.util;

import java.io.IOException;
import java.io.RandomAccessFile;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few POSIX calls the JDK does not offer, through the FFM API: extended attributes in every
 * namespace (security.*, trusted.*, user.*), ownership and times of symlinks themselves, full
 * mode bits (setuid/setgid/sticky), device nodes, and the size of a block device.
 * Every failure is an {@link IOException} naming the call, the path and the errno text.
 */
public final class Posix {

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int SEEK_END = 2;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    /** _IO(0x12, 127): zero a byte range of a block device, letting the device do it (WRITE ZEROES, discard). */
    private static final long BLKZEROOUT = 0x127F;
    private static final int O_RDWR = 2;
    private static final int ENXIO = 6;
    private static final int EINVAL = 22;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    public static final int ENODATA = 61;
    public static final int ENOTSUP = 95;
    public static final int EPERM = 1;
    public static final int EBUSY = 16;
    public static final int EWOULDBLOCK = 11;
    private static final int O_WRONLY = 1;
    private static final int O_EXCL = 0x80;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    /** The FFM basics, initialised on first native call only (isRoot and the NIO paths never need them). */
    private static final class Ffm {
        static final Linker LINKER = Linker.nativeLinker();
        static final SymbolLookup LIBC = LINKER.defaultLookup();
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    }

    // Downcall handles are made on first use, one holder class each: making one costs
    // milliseconds (and the first one loads the FFM machinery), and most runs need only a few.
    private static final class Lgetxattr { static final MethodHandle H = handle("lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG)); }
    private static final class Llistxattr { static final MethodHandle H = handle("llistxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG)); }
    private static final class Lsetxattr { static final MethodHandle H = handle("lsetxattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT)); }
    private static final class Lchown { static final MethodHandle H = handle("lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)); }
    private static final class Chmod { static final MethodHandle H = handle("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Utimensat { static final MethodHandle H = handle("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT)); }
    private static final class Mknod { static final MethodHandle H = handle("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG)); }
    private static final class Open {
        static final MethodHandle H = Ffm.LINKER.downcallHandle(Ffm.LIBC.find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Ffm.ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    }
    private static final class Flock { static final MethodHandle H = handle("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)); }
    private static final class Lseek { static final MethodHandle H = handle("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT)); }
    private static final class Fallocate { static final MethodHandle H = handle("fallocate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG)); }
    private static final class Ioctl {
        static final MethodHandle H = Ffm.LINKER.downcallHandle(Ffm.LIBC.find("ioctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2), Ffm.ERRNO_OPT);
    }
    private static final class Close { static final MethodHandle H = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)); }
    private static final class Strerror {
        static final MethodHandle H = Ffm.LINKER.downcallHandle(Ffm.LIBC.find("strerror").orElseThrow(),
                FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), JAVA_INT));
    }
    private static final class Readlink { static final MethodHandle H = handle("readlink", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG)); }
    private static final class Symlink { static final MethodHandle H = handle("symlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)); }
    private static final class Statx {
        static final MethodHandle H = find("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static MethodHandle find(String name, FunctionDescriptor fd) {
        return Ffm.LIBC.find(name).map(a -> Ffm.LINKER.downcallHandle(a, fd, Ffm.ERRNO_OPT)).orElse(null);
    }

    private static final class Geteuid { static final MethodHandle H = Ffm.LINKER.downcallHandle(Ffm.LIBC.find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT)); }

    /**
     * Per-thread native scratch memory for the hot calls (path, errno capture, timespecs), so
     * that chmod/lchown/utimensat allocate nothing: no Arena per call.
     */
    private static final class Scratch {
        final Arena arena = Arena.ofAuto();
        final MemorySegment cap = arena.allocate(Ffm.CAPTURE);
        final MemorySegment times = arena.allocate(JAVA_LONG, 4);
        MemorySegment path = arena.allocate(1024);
        final MemorySegment statx = arena.allocate(256, 8);

        MemorySegment path(Path p) {
            byte[] b = p.toString().getBytes(StandardCharsets.UTF_8);
            if (b.length + 1 > path.byteSize()) path = arena.allocate(Math.max(b.length + 1, path.byteSize() * 2));
            MemorySegment.copy(b, 0, path, ValueLayout.JAVA_BYTE, 0, b.length);
            path.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
            return path;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Makes the downcall handles a capture ({@code capture}) or an apply needs (see {@link Warmup}). */
    public static void warmUp(boolean capture) {
        if (capture) {
            MethodHandle h = Llistxattr.H;
        } else {
            // device nodes and FIFOs: created with mknod, times set without opening them
            MethodHandle a = Utimensat.H;
            MethodHandle b = Mknod.H;
        }
    }

    private Posix() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return Ffm.LINKER.downcallHandle(Ffm.LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc lacks " + name)), fd, Ffm.ERRNO_OPT);
    }

    /** An errno-carrying failure of a POSIX call. */
    public static final class PosixException extends IOException {
        private final int errno;

        PosixException(String call, Path path, int errno) {
            super(call + " " + path + ": " + strerror(errno));
            this.errno = errno;
        }

        public int errno() { return errno; }
    }

    private static final class Root {
        static final boolean IS = euid() == 0;
    }

    /** True when running with effective uid 0. Cached; asks /proc first (no FFM start-up cost). */
    public static boolean isRoot() {
        return Root.IS;
    }

    /** Effective uid and gid and the umask of this process, from /proc/self/status; -1 where unknown. */
    public record Ids(int euid, int egid, int umask) {}

    private static final class IdsHolder {
        static final Ids IDS = readIds();
    }

    public static Ids ids() {
        return IdsHolder.IDS;
    }

    private static Ids readIds() {
        int uid = -1, gid = -1, umask = -1;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (l.startsWith("Uid:")) uid = Integer.parseInt(l.substring(4).strip().split("\\s+")[1]);
                else if (l.startsWith("Gid:")) gid = Integer.parseInt(l.substring(4).strip().split("\\s+")[1]);
                else if (l.startsWith("Umask:")) umask = Integer.parseInt(l.substring(6).strip(), 8);
            }
        } catch (IOException | RuntimeException e) {
            // unknown: callers then do every call
        }
        return new Ids(uid, gid, umask);
    }

    private static int euid() {
        int u = ids().euid();
        if (u >= 0) return u;
        try {
            return (int) Geteuid.H.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.H.invokeExact(errno);
            return s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static int errno(MemorySegment cap) {
        return (int) Ffm.ERRNO.get(cap, 0L);
    }

    private static MemorySegment cstr(Arena a, Path p) {
        return a.allocateFrom(p.toString());
    }

    /**
     * What lstat gives, from statx(2) (one call, no attribute maps or boxing; the layout of
     * struct statx is the same on every architecture). {@code rdev} and {@code dev} are encoded
     * like glibc's dev_t (as NIO's "unix:rdev" gives them).
     */
    /** {@code allocated}: bytes the file takes on disk (st_blocks x 512); less than size for a sparse file. */
    public record Stat(int mode, int uid, int gid, int nlink, long ino, long dev, long rdev, long size, long atimeNs, long mtimeNs,
                       long allocated) {}

    private static final int STATX_BASIC_STATS = 0x7ff;

    /** Stat of the path itself (not a link's target); null if this libc has no statx (use NIO). */
    public static Stat lstat(Path path) throws IOException {
        MethodHandle h = Statx.H;
        if (h == null) return null;
        Scratch s = SCRATCH.get();
        MemorySegment b = s.statx;
        int r;
        try {
            r = (int) h.invokeExact(s.cap, AT_FDCWD, s.path(path), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, b);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (r != 0) {
            int e = errno(s.cap);
            if (e == 38 /* ENOSYS */) return null;
            throw new PosixException("statx", path, e);
        }
        return new Stat(Short.toUnsignedInt(b.get(ValueLayout.JAVA_SHORT, 28)), b.get(JAVA_INT, 20), b.get(JAVA_INT, 24), b.get(JAVA_INT, 16),
                b.get(JAVA_LONG, 32), makedev(b.get(JAVA_INT, 136), b.get(JAVA_INT, 140)), makedev(b.get(JAVA_INT, 128), b.get(JAVA_INT, 132)),
                b.get(JAVA_LONG, 40),
                b.get(JAVA_LONG, 64) * 1_000_000_000L + Integer.toUnsignedLong(b.get(JAVA_INT, 72)),
                b.get(JAVA_LONG, 112) * 1_000_000_000L + Integer.toUnsignedLong(b.get(JAVA_INT, 120)),
                b.get(JAVA_LONG, 48) * 512);
    }

    /** glibc's gnu_dev_makedev. */
    static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major), mi = Integer.toUnsignedLong(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    /** One extended attribute: name (with its namespace) and raw value. */
    public record Xattr(String name, byte[] value) {}

    /** Lists and reads the extended attributes of {@code path} itself (not a link's target). */
    public static List<Xattr> listXattrs(Path path) throws IOException {
        Scratch s = SCRATCH.get();
        long probe;
        try {
            probe = (long) Llistxattr.H.invokeExact(s.cap, s.path(path), MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (probe == 0) return List.of(); // the common case: no allocation at all
        if (probe < 0 && errno(s.cap) == ENOTSUP) return List.of();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            MemorySegment p = cstr(a, path);
            long size = (long) Llistxattr.H.invokeExact(cap, p, MemorySegment.NULL, 0L);
            if (size < 0) {
                int e = errno(cap);
                if (e == ENOTSUP) return List.of();
                throw new PosixException("llistxattr", path, e);
            }
            if (size == 0) return List.of();
            MemorySegment buf = a.allocate(size + 1);
            size = (long) Llistxattr.H.invokeExact(cap, p, buf, size + 1);
            if (size < 0) throw new PosixException("llistxattr", path, errno(cap));
            List<Xattr> out = new ArrayList<>();
            long start = 0;
            for (long i = 0; i < size; i++) {
                if (buf.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    if (i > start) {
                        String name = new String(buf.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                        byte[] v = getXattr(a, cap, p, path, name);
                        if (v != null) out.add(new Xattr(name, v));
                    }
                    start = i + 1;
                }
            }
            out.sort((x, y) -> x.name().compareTo(y.name()));
            return out;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static byte[] getXattr(Arena a, MemorySegment cap, MemorySegment p, Path path, String name) throws Throwable {
        MemorySegment n = a.allocateFrom(name);
        for (int attempt = 0; attempt < 4; attempt++) {
            long size = (long) Lgetxattr.H.invokeExact(cap, p, n, MemorySegment.NULL, 0L);
            if (size < 0) {
                if (errno(cap) == ENODATA) return null;
                throw new PosixException("lgetxattr " + name, path, errno(cap));
            }
            MemorySegment buf = a.allocate(Math.max(1, size));
            long got = (long) Lgetxattr.H.invokeExact(cap, p, n, buf, size);
            if (got >= 0) return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
            if (errno(cap) != 34 /* ERANGE: grew meanwhile */) throw new PosixException("lgetxattr " + name, path, errno(cap));
        }
        throw new IOException("lgetxattr " + name + " " + path + ": value keeps changing size");
    }

    public static void setXattr(Path path, String name, byte[] value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r = (int) Lsetxattr.H.invokeExact(cap, cstr(a, path), a.allocateFrom(name), v, (long) value.length, 0);
            if (r != 0) throw new PosixException("lsetxattr " + name, path, errno(cap));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void lchown(Path path, int uid, int gid) throws IOException {
        Scratch s = SCRATCH.get();
        int r;
        try {
            r = (int) Lchown.H.invokeExact(s.cap, s.path(path), uid, gid);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (r != 0) throw new PosixException("lchown", path, errno(s.cap));
    }

    /** Sets all 12 permission bits (including setuid, setgid, sticky); follows symlinks. */
    public static void chmod(Path path, int mode) throws IOException {
        Scratch s = SCRATCH.get();
        int r;
        try {
            r = (int) Chmod.H.invokeExact(s.cap, s.path(path), mode & 07777);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (r != 0) throw new PosixException("chmod", path, errno(s.cap));
    }

    /** Sets access and modification times in nanoseconds on the path itself (not a link's target). */
    public static void setTimes(Path path, long atimeNs, long mtimeNs) throws IOException {
        Scratch s = SCRATCH.get();
        MemorySegment ts = s.times;
        ts.setAtIndex(JAVA_LONG, 0, Math.floorDiv(atimeNs, 1_000_000_000L));
        ts.setAtIndex(JAVA_LONG, 1, Math.floorMod(atimeNs, 1_000_000_000L));
        ts.setAtIndex(JAVA_LONG, 2, Math.floorDiv(mtimeNs, 1_000_000_000L));
        ts.setAtIndex(JAVA_LONG, 3, Math.floorMod(mtimeNs, 1_000_000_000L));
        int r;
        try {
            r = (int) Utimensat.H.invokeExact(s.cap, AT_FDCWD, s.path(path), ts, AT_SYMLINK_NOFOLLOW);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (r != 0) throw new PosixException("utimensat", path, errno(s.cap));
    }

    /** Creates a device node, FIFO or socket; {@code mode} includes the file-type bits. */
    public static void mknod(Path path, int mode, long rdev) throws IOException {
        call("mknod", path, (a, cap) -> (int) Mknod.H.invokeExact(cap, cstr(a, path), mode, rdev));
    }

    /**
     * A symlink's target exactly as stored (the JDK's readSymbolicLink normalises it, turning
     * "dir/" into "dir" and "a//b" into "a/b").
     */
    public static String readlink(Path link) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            MemorySegment p = cstr(a, link);
            for (long size = 256; ; size *= 4) {
                MemorySegment buf = a.allocate(size);
                long n = (long) Readlink.H.invokeExact(cap, p, buf, size);
                if (n < 0) throw new PosixException("readlink", link, errno(cap));
                if (n < size) return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                if (size > (1 << 20)) throw new IOException("readlink " + link + ": target too long");
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Creates symlink {@code link} pointing to {@code target} verbatim (no normalisation). */
    public static void symlink(String target, Path link) throws IOException {
        call("symlink", link, (a, cap) -> (int) Symlink.H.invokeExact(cap, a.allocateFrom(target), cstr(a, link)));
    }

    /**
     * Opens {@code path} with {@code flags} (and O_CLOEXEC), capturing errno in {@code cap}: the
     * descriptor, or a {@link PosixException} naming {@code call}, the path and the errno text.
     * The one place a descriptor is opened; {@link #closeQuietly} the one place it is closed.
     */
    private static int open(Arena a, MemorySegment cap, String call, Path path, int flags) throws Throwable {
        int fd = (int) Open.H.invokeExact(cap, cstr(a, path), flags | O_CLOEXEC, 0);
        if (fd < 0) throw new PosixException(call, path, errno(cap));
        return fd;
    }

    /** Closes a descriptor; a failure is ignored (the descriptor is gone either way, and nothing was written through it here). */
    private static void closeQuietly(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) Close.H.invokeExact(a.allocate(Ffm.CAPTURE), fd);
        } catch (Throwable t) {
            // nothing to do
        }
    }

    /** Size in bytes of a file or block device (seeks to its end). */
    public static long deviceSize(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            int fd = open(a, cap, "open", path, O_RDONLY);
            try {
                long end = (long) Lseek.H.invokeExact(cap, fd, 0L, SEEK_END);
                if (end < 0) throw new PosixException("lseek", path, errno(cap));
                return end;
            } finally {
                closeQuietly(fd);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** An open descriptor for asking where a sparse file's data is (lseek SEEK_DATA). */
    public static final class DataSeeker implements AutoCloseable {
        private final int fd;
        private final Path path;

        private DataSeeker(int fd, Path path) {
            this.fd = fd;
            this.path = path;
        }

        /** Offset of the first hole byte at or after {@code offset} (the end of the file counts as one); Long.MAX_VALUE past the end. */
        public long nextHole(long offset) throws IOException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cap = a.allocate(Ffm.CAPTURE);
                long r = (long) Lseek.H.invokeExact(cap, fd, offset, SEEK_HOLE);
                if (r >= 0) return r;
                int e = errno(cap);
                if (e == ENXIO) return Long.MAX_VALUE;
                if (e == EINVAL || e == ENOTSUP) return Long.MAX_VALUE; // no SEEK_HOLE here: no holes
                throw new PosixException("lseek SEEK_HOLE", path, e);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /** Offset of the first data byte at or after {@code offset}; Long.MAX_VALUE if none. */
        public long nextData(long offset) throws IOException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cap = a.allocate(Ffm.CAPTURE);
                long r = (long) Lseek.H.invokeExact(cap, fd, offset, SEEK_DATA);
                if (r >= 0) return r;
                int e = errno(cap);
                if (e == ENXIO) return Long.MAX_VALUE;
                if (e == EINVAL || e == ENOTSUP) return offset; // no SEEK_DATA here: everything is data
                throw new PosixException("lseek SEEK_DATA", path, e);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        @Override
        public void close() {
            closeQuietly(fd);
        }
    }

    public static DataSeeker dataSeeker(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            return new DataSeeker(open(a, cap, "open", path, O_RDONLY), path);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** An open descriptor held for its effect (an exclusive open, a lock); closing releases it. */
    public static final class Held implements AutoCloseable {
        private final int fd;
        private boolean closed;

        private Held(int fd) {
            this.fd = fd;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            closeQuietly(fd);
        }
    }

    /**
     * Opens a block device for writing with O_EXCL, which Linux turns into an exclusive claim:
     * it fails with EBUSY ({@link PosixException#errno()}) while the device is mounted, is part of
     * a RAID or device-mapper set, or another program claimed it. While held, none of these can start.
     */
    public static Held openExclusive(Path device) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            return new Held(open(a, cap, "open O_EXCL", device, O_WRONLY | O_EXCL));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Takes an exclusive flock(2) lock on an existing file without waiting; null if another
     * process holds a lock on it.
     */
    public static Held tryFlock(Path file) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            int fd = open(a, cap, "open", file, O_RDONLY);
            Held h = new Held(fd);
            if ((int) Flock.H.invokeExact(cap, fd, LOCK_EX | LOCK_NB) == 0) return h;
            int e = errno(cap);
            h.close();
            if (e == EWOULDBLOCK) return null;
            throw new PosixException("flock", file, e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @FunctionalInterface
    private interface Call {
        int run(Arena a, MemorySegment cap) throws Throwable;
    }

    private static void call(String name, Path path, Call c) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            if (c.run(a, cap) != 0) throw new PosixException(name, path, errno(cap));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Gives a file its exact size without writing (ftruncate): a trailing hole stays a hole. */
    public static void setLength(Path p, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            if (f.length() != size) f.setLength(size);
        }
    }

    /** How {@link #zeroOut} made a range read as zeros. */
    public enum Zeroed { PUNCHED, DEVICE_ZEROED, NOT_SUPPORTED }

    /**
     * Makes {@code [offset, offset+length)} of {@code path} read as zeros without writing them:
     * a regular file gets a hole punched (fallocate PUNCH_HOLE, size kept), a block device is
     * asked to zero the range itself (BLKZEROOUT). {@link Zeroed#NOT_SUPPORTED} when the file
     * system or device cannot; the caller then writes zeros.
     */
    public static Zeroed zeroOut(Path path, boolean device, long offset, long length) throws IOException {
        if (length <= 0) return device ? Zeroed.DEVICE_ZEROED : Zeroed.PUNCHED;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Ffm.CAPTURE);
            int fd = open(a, cap, "open", path, O_RDWR);
            try {
                int r;
                if (device) {
                    MemorySegment range = a.allocate(JAVA_LONG, 2);
                    range.setAtIndex(JAVA_LONG, 0, offset);
                    range.setAtIndex(JAVA_LONG, 1, length);
                    r = (int) Ioctl.H.invokeExact(cap, fd, BLKZEROOUT, range);
                } else {
                    r = (int) Fallocate.H.invokeExact(cap, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
                }
                if (r == 0) return device ? Zeroed.DEVICE_ZEROED : Zeroed.PUNCHED;
                int e = errno(cap);
                if (e == ENOTSUP || e == EINVAL || e == ENOTTY || e == ENOSYS) return Zeroed.NOT_SUPPORTED;
                throw new PosixException(device ? "ioctl BLKZEROOUT" : "fallocate PUNCH_HOLE", path, e);
            } finally {
                closeQuietly(fd);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static final int ENOTTY = 25;
    private static final int ENOSYS = 38;
}
