package io.imgcast.util;

import java.io.IOException;
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
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int SEEK_END = 2;
    private static final int SEEK_DATA = 3;
    private static final int ENXIO = 6;
    private static final int EINVAL = 22;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    public static final int ENODATA = 61;
    public static final int ENOTSUP = 95;
    public static final int EPERM = 1;

    private static final MethodHandle LGETXATTR = handle("lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLISTXATTR = handle("llistxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LSETXATTR = handle("lsetxattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LCHOWN = handle("lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle CHMOD = handle("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UTIMENSAT = handle("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle MKNOD = handle("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle READLINK = handle("readlink", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle SYMLINK = handle("symlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle LSEEK = handle("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), JAVA_INT));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(LIBC.find("geteuid").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT));

    private Posix() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc lacks " + name)), fd, ERRNO_OPT);
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

    public static boolean isRoot() {
        try {
            return (int) GETEUID.invokeExact() == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static int errno(MemorySegment cap) {
        return (int) ERRNO.get(cap, 0L);
    }

    private static MemorySegment cstr(Arena a, Path p) {
        return a.allocateFrom(p.toString());
    }

    /** One extended attribute: name (with its namespace) and raw value. */
    public record Xattr(String name, byte[] value) {}

    /** Lists and reads the extended attributes of {@code path} itself (not a link's target). */
    public static List<Xattr> listXattrs(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment p = cstr(a, path);
            long size = (long) LLISTXATTR.invokeExact(cap, p, MemorySegment.NULL, 0L);
            if (size < 0) {
                int e = errno(cap);
                if (e == ENOTSUP) return List.of();
                throw new PosixException("llistxattr", path, e);
            }
            if (size == 0) return List.of();
            MemorySegment buf = a.allocate(size + 1);
            size = (long) LLISTXATTR.invokeExact(cap, p, buf, size + 1);
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
            long size = (long) LGETXATTR.invokeExact(cap, p, n, MemorySegment.NULL, 0L);
            if (size < 0) {
                if (errno(cap) == ENODATA) return null;
                throw new PosixException("lgetxattr " + name, path, errno(cap));
            }
            MemorySegment buf = a.allocate(Math.max(1, size));
            long got = (long) LGETXATTR.invokeExact(cap, p, n, buf, size);
            if (got >= 0) return buf.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
            if (errno(cap) != 34 /* ERANGE: grew meanwhile */) throw new PosixException("lgetxattr " + name, path, errno(cap));
        }
        throw new IOException("lgetxattr " + name + " " + path + ": value keeps changing size");
    }

    public static void setXattr(Path path, String name, byte[] value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r = (int) LSETXATTR.invokeExact(cap, cstr(a, path), a.allocateFrom(name), v, (long) value.length, 0);
            if (r != 0) throw new PosixException("lsetxattr " + name, path, errno(cap));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void lchown(Path path, int uid, int gid) throws IOException {
        call("lchown", path, (a, cap) -> (int) LCHOWN.invokeExact(cap, cstr(a, path), uid, gid));
    }

    /** Sets all 12 permission bits (including setuid, setgid, sticky); follows symlinks. */
    public static void chmod(Path path, int mode) throws IOException {
        call("chmod", path, (a, cap) -> (int) CHMOD.invokeExact(cap, cstr(a, path), mode & 07777));
    }

    /** Sets access and modification times in nanoseconds on the path itself (not a link's target). */
    public static void setTimes(Path path, long atimeNs, long mtimeNs) throws IOException {
        call("utimensat", path, (a, cap) -> {
            MemorySegment ts = a.allocate(JAVA_LONG, 4);
            ts.setAtIndex(JAVA_LONG, 0, Math.floorDiv(atimeNs, 1_000_000_000L));
            ts.setAtIndex(JAVA_LONG, 1, Math.floorMod(atimeNs, 1_000_000_000L));
            ts.setAtIndex(JAVA_LONG, 2, Math.floorDiv(mtimeNs, 1_000_000_000L));
            ts.setAtIndex(JAVA_LONG, 3, Math.floorMod(mtimeNs, 1_000_000_000L));
            return (int) UTIMENSAT.invokeExact(cap, AT_FDCWD, cstr(a, path), ts, AT_SYMLINK_NOFOLLOW);
        });
    }

    /** Creates a device node, FIFO or socket; {@code mode} includes the file-type bits. */
    public static void mknod(Path path, int mode, long rdev) throws IOException {
        call("mknod", path, (a, cap) -> (int) MKNOD.invokeExact(cap, cstr(a, path), mode, rdev));
    }

    /**
     * A symlink's target exactly as stored (the JDK's readSymbolicLink normalises it, turning
     * "dir/" into "dir" and "a//b" into "a/b").
     */
    public static String readlink(Path link) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment p = cstr(a, link);
            for (long size = 256; ; size *= 4) {
                MemorySegment buf = a.allocate(size);
                long n = (long) READLINK.invokeExact(cap, p, buf, size);
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
        call("symlink", link, (a, cap) -> (int) SYMLINK.invokeExact(cap, a.allocateFrom(target), cstr(a, link)));
    }

    /** Size in bytes of a file or block device (seeks to its end). */
    public static long deviceSize(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(cap, cstr(a, path), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) throw new PosixException("open", path, errno(cap));
            try {
                long end = (long) LSEEK.invokeExact(cap, fd, 0L, SEEK_END);
                if (end < 0) throw new PosixException("lseek", path, errno(cap));
                return end;
            } finally {
                int ignored = (int) CLOSE.invokeExact(cap, fd);
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

        /** Offset of the first data byte at or after {@code offset}; Long.MAX_VALUE if none. */
        public long nextData(long offset) throws IOException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cap = a.allocate(CAPTURE);
                long r = (long) LSEEK.invokeExact(cap, fd, offset, SEEK_DATA);
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
            try (Arena a = Arena.ofConfined()) {
                int ignored = (int) CLOSE.invokeExact(a.allocate(CAPTURE), fd);
            } catch (Throwable t) {
                // nothing to do
            }
        }
    }

    public static DataSeeker dataSeeker(Path path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(cap, cstr(a, path), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) throw new PosixException("open", path, errno(cap));
            return new DataSeeker(fd, path);
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
            MemorySegment cap = a.allocate(CAPTURE);
            if (c.run(a, cap) != 0) throw new PosixException(name, path, errno(cap));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
