package io.imgcast.testutil;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Generates test trees with real data. {@link #full} makes every kind of entry a file-tree image
 * must keep (needs root): regular files (empty, small, large multi-chunk, zero-filled, sparse),
 * directories (nested, empty), symlinks (relative, absolute, dangling, to a directory, with a
 * trailing slash, self-loop), hard links (to a file, a symlink and a FIFO), FIFOs, character and
 * block device nodes, a Unix socket, setuid/setgid/sticky modes, odd owners (including ids above
 * 2^31), nanosecond and pre-1970 mtimes, extended attributes in the user, trusted and security
 * namespaces (binary, empty and large values, on files, directories and symlinks; a file
 * capability in security.capability; POSIX access and default ACLs), and names
 * with spaces and non-ASCII characters. {@link #plain} makes only files, directories and
 * symlinks (for mkfs.ext4 -d and similar).
 */
public final class TreeGen {
    private TreeGen() {}

    /** Writes {@code size} pseudo-random (incompressible) bytes from {@code seed}. */
    public static void randomFile(Path p, long size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(p)) {
            long left = size;
            while (left > 0) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes compressible text-like content. */
    public static void textFile(Path p, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] words = {"imgcast ", "image ", "store ", "chunk ", "deploy ", "multicast ", "lorem ", "ipsum ", "\n", "disk "};
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) sb.append(words[r.nextInt(words.length)]);
        sb.setLength(size);
        write(p, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path p, byte[] b) {
        try {
            Files.write(p, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path dir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files, directories and symlinks only: {@code bigBytes} of random data in one file plus a few small files. */
    public static void plain(Path root, long seed, int bigBytes) {
        dir(root);
        randomFile(root.resolve("big.bin"), bigBytes, seed);
        dir(root.resolve("docs/sub dir"));
        for (int i = 0; i < 20; i++) textFile(root.resolve("docs/note-" + i + ".txt"), 500 + i * 997, seed * 31 + i);
        randomFile(root.resolve("docs/sub dir/blob.bin"), 300_000, seed + 7);
        write(root.resolve("docs/empty"), new byte[0]);
        try {
            Files.createSymbolicLink(root.resolve("docs/link"), Path.of("note-1.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every kind of entry (see the class comment); {@code bigBytes} sizes the large random file. Needs root. */
    public static void full(Path root, long seed, int bigBytes) {
        Needs.root("a tree with device nodes, other owners and trusted.* attributes");
        Needs.tools("setfattr", "setcap");
        dir(root);
        write(root.resolve("empty"), new byte[0]);
        for (int i = 0; i < 12; i++) textFile(root.resolve(String.format("small-%02d.txt", i)), i * 3001, seed + i);
        randomFile(root.resolve("big.bin"), bigBytes, seed);
        byte[] zeros = new byte[2 * 1024 * 1024 + 4096];
        for (int i = 1024 * 1024; i < 1024 * 1024 + 4096; i++) zeros[i] = (byte) (i * 7);
        write(root.resolve("zeros.bin"), zeros);
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("sparse.bin").toFile(), "rw")) {
            f.setLength(8L << 20);
            f.seek(4L << 20);
            byte[] d = new byte[65536];
            new SplittableRandom(seed + 3).nextBytes(d);
            f.write(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        textFile(dir(root.resolve("a/b/c")).resolve("deep.txt"), 70_000, seed + 20);
        dir(root.resolve("empty dir"));
        Path uni = dir(root.resolve("ünïcödé dïr"));
        textFile(uni.resolve("日本語 ファイル.txt"), 1234, seed + 21);
        textFile(uni.resolve("emoji 🎉 with  two spaces "), 10, seed + 22);
        textFile(uni.resolve("line\nbreak, back\\slash, 'quote' \"dq\" $dollar *star"), 11, seed + 23);
        Path links = dir(root.resolve("links"));
        Path hard = dir(root.resolve("hard"));
        randomFile(hard.resolve("one"), 600_000, seed + 30);
        Path special = dir(root.resolve("special"));
        Path modes = dir(root.resolve("modes"));
        Path owners = dir(root.resolve("owners"));
        Path xattrs = dir(root.resolve("xattrs"));
        for (String n : List.of("setuid", "setgid", "both", "none", "plain")) textFile(modes.resolve(n), 100, seed + n.hashCode());
        dir(modes.resolve("sticky"));
        dir(modes.resolve("setgid-dir"));
        textFile(dir(modes.resolve("read-only dir")).resolve("inside"), 50, seed + 40);
        for (String n : List.of("u12345", "huge-ids", "nobody")) textFile(owners.resolve(n), 64, seed + n.hashCode());
        dir(owners.resolve("odd-dir"));
        for (String n : List.of("user", "trusted", "security", "mixed", "capability", "acl")) textFile(xattrs.resolve(n), 200, seed + n.hashCode());
        textFile(dir(xattrs.resolve("default-acl-dir")).resolve("child"), 10, seed + 50);
        dir(xattrs.resolve("dir-with-xattrs"));
        String script = String.join("\n",
                "set -e",
                "cd " + Sh.q(root),
                // symlinks of every shape
                "ln -s ../small-01.txt links/rel-file",
                "ln -s ../a/b links/to-dir",
                "ln -s ../a/b/ links/to-dir-slash",
                "ln -s ../does/not/exist links/dangling",
                "ln -s /nonexistent/imgcast/target links/abs-dangling",
                "ln -s self-loop links/self-loop",
                "ln -s '../ünïcödé dïr/日本語 ファイル.txt' 'links/to unicode'",
                // hard links: three names for one multi-chunk file, one to a symlink, one to a FIFO
                "ln hard/one hard/two",
                "ln hard/one a/b/three",
                "mkfifo special/fifo",
                "ln special/fifo hard/fifo-link",
                "ln -P links/rel-file hard/symlink-link",
                // device nodes and a socket
                "mknod special/char c 1 3",
                "mknod special/block b 7 200",
                // owners, then modes (chown clears setuid/setgid)
                "chown 12345:54321 owners/u12345",
                "chown 4000000000:4000000001 owners/huge-ids",
                "chown 65534:65534 owners/nobody",
                "chown 777:888 owners/odd-dir",
                "chown -h 4242:2424 links/dangling",
                "chmod 4755 modes/setuid",
                "chmod 2755 modes/setgid",
                "chmod 6711 modes/both",
                "chmod 0000 modes/none",
                "chmod 1777 modes/sticky",
                "chmod 2775 modes/setgid-dir",
                "chmod 0555 'modes/read-only dir'",
                "chmod 0600 hard/one",
                "chmod 0640 special/fifo special/char",
                // extended attributes in every namespace
                "setfattr -n user.comment -v 'hello world' xattrs/user",
                "setfattr -n user.binary -v 0x00ff00fe01 xattrs/user",
                "setfattr -n user.empty xattrs/user",
                "setfattr -n trusted.overlay.opaque -v y xattrs/trusted",
                "setfattr -n security.imgcast -v label xattrs/security",
                "setfattr -n user.big -v 0x" + "ab".repeat(3000) + " xattrs/mixed",
                "setfattr -n trusted.t -v 1 xattrs/mixed",
                "setfattr -n security.s -v 2 xattrs/mixed",
                "chown 1234:1234 xattrs/capability", // file capabilities (like ping's); chown would clear them
                "setcap cap_net_raw,cap_net_admin+ep xattrs/capability",
                // POSIX ACLs (system.posix_acl_*): user 1234 rwx on a file, a default ACL with group 55 on a directory
                "setfattr -n system.posix_acl_access -v 0x0200000001000700ffffffff02000700d204000004000500ffffffff10000700ffffffff20000400ffffffff xattrs/acl",
                "setfattr -n system.posix_acl_default -v 0x0200000001000700ffffffff04000500ffffffff080005003700000010000500ffffffff20000000ffffffff xattrs/default-acl-dir",
                "setfattr -n user.d -v dir xattrs/dir-with-xattrs",
                "setfattr -n trusted.d -v dir xattrs/dir-with-xattrs",
                "setfattr -h -n trusted.link -v on-the-link links/rel-file",
                "setfattr -n user.on-one -v shared hard/one",
                "setfattr -n user.unicode -v 'ünï' 'ünïcödé dïr/日本語 ファイル.txt'",
                // symlink times (touch -h does not follow)
                "touch -h -d '2003-04-05 06:07:08.123456789' links/rel-file links/to-dir-slash",
                "touch -h -d '1965-06-07 08:09:10.75' links/abs-dangling",
                "");
        Sh.bash(script).ok();
        // a Unix socket: binding makes the socket file, which stays after the channel is closed
        try (var s = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(java.net.UnixDomainSocketAddress.of(special.resolve("socket")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        setTimes(root, seed);
    }

    /**
     * Gives every non-symlink entry a distinct nanosecond mtime (one before 1970 with a fraction,
     * one far in the future), deepest first so parents keep theirs.
     */
    private static void setTimes(Path root, long seed) {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> all = new ArrayList<>(s.toList());
            all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            SplittableRandom r = new SplittableRandom(seed);
            for (Path p : all) {
                if (Files.isSymbolicLink(p)) continue;
                Instant t;
                String n = p.getFileName().toString();
                if (n.equals("small-02.txt")) t = Instant.parse("1960-01-01T00:00:00.500000001Z");
                else if (n.equals("small-03.txt")) t = Instant.parse("2100-12-31T23:59:59.999999999Z");
                else t = Instant.ofEpochSecond(1_000_000_000L + r.nextLong(700_000_000L), r.nextInt(1_000_000_000));
                if (t.getEpochSecond() < 0) { // the JDK sets pre-1970 times to 0 here; touch does it right
                    Sh.run("touch", "-h", "-d", t.toString().replace('T', ' ').replace("Z", " UTC"), p.toString()).ok();
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setLastModifiedTime(p, FileTime.from(t));
                } else { // FIFOs, devices, sockets: the JDK would open them
                    Sh.run("touch", "-h", "-d", "@" + t.getEpochSecond() + "." + String.format("%09d", t.getNano()), p.toString()).ok();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Turns a tree made by {@link #full} or {@link #plain} into its next edition: 16 bytes changed
     * in the middle of big.bin, and one 128 KiB file added.
     */
    public static void nextEdition(Path root, long seed) {
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            f.seek(f.length() / 2);
            byte[] d = new byte[16];
            new SplittableRandom(seed ^ 0x5eed).nextBytes(d);
            f.write(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        randomFile(root.resolve("added-in-edition-2.bin"), 128 * 1024, seed + 1000);
    }

    /** Copies a tree with {@code cp -a} (keeps modes, owners, times, links, xattrs). */
    public static void copy(Path from, Path to) {
        Sh.run("cp", "-a", "--", from.toString(), to.toString()).ok();
    }

    public static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
