package io.imgcast.testutil;

import io.imgcast.util.Posix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares two directory trees entry by entry, including metadata: type, permission bits
 * (with setuid/setgid/sticky), owner, mtime in nanoseconds, size, file content, symlink target
 * (raw bytes as stored in the link, read with {@code find -printf %l}, so a normalised target
 * shows up), hard-link identity (which paths share an inode), device numbers and extended
 * attributes in every namespace. Access times are not compared (reading a file changes them).
 *
 * <p>Use {@link #assertSame(Path, Path)} in tests, or {@link #diff} for the list of differences.
 * Aspects can be ignored, e.g. {@code EnumSet.of(Aspect.OWNER)} when not running as root.
 */
public final class TreeDiff {
    private TreeDiff() {}

    /** What can be compared (and so ignored). {@link #ROOT_META} covers the metadata of the two roots themselves. */
    public enum Aspect { TYPE, MODE, OWNER, MTIME, SIZE, CONTENT, LINK_TARGET, HARDLINKS, RDEV, XATTRS, ROOT_META }

    /** One entry's recorded state. {@code path} is relative with '/' ("" is the root). */
    public record Node(String path, char type, int mode, int uid, int gid, long mtimeNs, long size, String linkTarget,
                       String inode, long rdev, Map<String, String> xattrs, Path file) {}

    /** Every entry under {@code root} (the root included), by relative path. */
    public static Map<String, Node> snapshot(Path root) {
        Map<String, String> targets = rawLinkTargets(root);
        Map<String, Node> out = new TreeMap<>();
        walk(root, "", targets, out);
        return out;
    }

    private static void walk(Path p, String rel, Map<String, String> targets, Map<String, Node> out) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,ino,dev,uid,gid,rdev,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            char type = switch (mode & 0170000) {
                case 0040000 -> 'd';
                case 0100000 -> 'f';
                case 0120000 -> 'l';
                case 0020000 -> 'c';
                case 0060000 -> 'b';
                case 0010000 -> 'p';
                case 0140000 -> 's';
                default -> '?';
            };
            Map<String, String> xattrs = new TreeMap<>();
            for (Posix.Xattr x : Posix.listXattrs(p)) xattrs.put(x.name(), HexFormat.of().formatHex(x.value()));
            String target = type == 'l' ? targets.getOrDefault(rel, Files.readSymbolicLink(p).toString()) : null;
            out.put(rel, new Node(rel, type, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    nanos((FileTime) a.get("lastModifiedTime")), type == 'f' ? (Long) a.get("size") : 0, target,
                    a.get("dev") + ":" + a.get("ino"), (type == 'c' || type == 'b') ? (Long) a.get("rdev") : 0, xattrs, p));
            if (type == 'd') {
                List<Path> children = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                    for (Path c : ds) children.add(c);
                }
                for (Path c : children) {
                    String name = c.getFileName().toString();
                    walk(c, rel.isEmpty() ? name : rel + "/" + name, targets, out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    /** What an image catalog should say about a tree: non-directory entries, directories, file bytes (each inode once). */
    public record Counts(long files, long dirs, long bytes) {}

    public static Counts counts(Path root) {
        long files = 0, dirs = 0, bytes = 0;
        Set<String> inodes = new TreeSet<>();
        for (Node n : snapshot(root).values()) {
            if (n.type() == 'd') dirs++;
            else files++;
            if (n.type() == 'f' && inodes.add(n.inode())) bytes += n.size();
        }
        return new Counts(files, dirs, bytes);
    }

    static long nanos(FileTime t) {
        Instant i = t.toInstant();
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }

    /** Symlink targets exactly as stored (Java's readSymbolicLink normalises "a/" to "a"). */
    private static Map<String, String> rawLinkTargets(Path root) {
        try {
            Process p = new ProcessBuilder("find", root.toString(), "-type", "l", "-printf", "%P\\0%l\\0")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) throw new IllegalStateException("find failed on " + root);
            String[] parts = new String(out, StandardCharsets.UTF_8).split("\0", -1);
            Map<String, String> m = new TreeMap<>();
            for (int i = 0; i + 1 < parts.length; i += 2) m.put(parts[i], parts[i + 1]);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static List<String> diff(Path expected, Path actual) {
        return diff(expected, actual, EnumSet.noneOf(Aspect.class));
    }

    /** Every difference, as "path: what (expected X, got Y)" lines; empty when the trees match. */
    public static List<String> diff(Path expected, Path actual, Set<Aspect> ignore) {
        Map<String, Node> a = snapshot(expected);
        Map<String, Node> b = snapshot(actual);
        Map<String, Set<String>> ga = linkGroups(a);
        Map<String, Set<String>> gb = linkGroups(b);
        List<String> out = new ArrayList<>();
        for (String p : a.keySet()) if (!b.containsKey(p)) out.add(show(p) + ": missing");
        for (String p : b.keySet()) if (!a.containsKey(p)) out.add(show(p) + ": unexpected extra entry");
        for (Node x : a.values()) {
            Node y = b.get(x.path());
            if (y == null) continue;
            boolean root = x.path().isEmpty();
            if (x.type() != y.type()) {
                if (!ignore.contains(Aspect.TYPE)) out.add(show(x.path()) + ": type " + x.type() + " vs " + y.type());
                continue;
            }
            boolean meta = !(root && ignore.contains(Aspect.ROOT_META));
            // a symlink's own mode is always 0777 on Linux and cannot be set
            if (meta && x.type() != 'l') check(out, ignore, Aspect.MODE, x, "mode", Integer.toOctalString(x.mode()), Integer.toOctalString(y.mode()));
            if (meta) check(out, ignore, Aspect.OWNER, x, "owner", Integer.toUnsignedString(x.uid()) + ":" + Integer.toUnsignedString(x.gid()),
                    Integer.toUnsignedString(y.uid()) + ":" + Integer.toUnsignedString(y.gid()));
            if (meta) check(out, ignore, Aspect.MTIME, x, "mtime ns", x.mtimeNs(), y.mtimeNs());
            if (meta) check(out, ignore, Aspect.XATTRS, x, "xattrs", x.xattrs(), y.xattrs());
            check(out, ignore, Aspect.SIZE, x, "size", x.size(), y.size());
            check(out, ignore, Aspect.LINK_TARGET, x, "symlink target", x.linkTarget(), y.linkTarget());
            check(out, ignore, Aspect.RDEV, x, "rdev", x.rdev(), y.rdev());
            check(out, ignore, Aspect.HARDLINKS, x, "hard-link group", ga.get(x.path()), gb.get(y.path()));
            if (x.type() == 'f' && !ignore.contains(Aspect.CONTENT) && x.size() == y.size()) {
                try {
                    long at = Files.mismatch(x.file(), y.file());
                    if (at >= 0) out.add(show(x.path()) + ": content differs at byte " + at);
                } catch (IOException e) {
                    out.add(show(x.path()) + ": cannot compare content: " + e);
                }
            }
        }
        return out;
    }

    private static void check(List<String> out, Set<Aspect> ignore, Aspect aspect, Node x, String what, Object want, Object got) {
        if (ignore.contains(aspect) || Objects.equals(want, got)) return;
        out.add(show(x.path()) + ": " + what + " expected " + want + ", got " + got);
    }

    private static String show(String p) {
        return p.isEmpty() ? "/" : p;
    }

    /** For each non-directory entry: the set of paths in the same tree sharing its inode. */
    private static Map<String, Set<String>> linkGroups(Map<String, Node> nodes) {
        Map<String, Set<String>> byInode = new TreeMap<>();
        for (Node n : nodes.values()) if (n.type() != 'd') byInode.computeIfAbsent(n.inode(), k -> new TreeSet<>()).add(n.path());
        Map<String, Set<String>> out = new TreeMap<>();
        for (Node n : nodes.values()) if (n.type() != 'd') out.put(n.path(), byInode.get(n.inode()));
        return out;
    }

    /** Fails with a readable list (first 40 lines) unless the trees match in every aspect not ignored. */
    public static void assertSame(Path expected, Path actual, Set<Aspect> ignore) {
        List<String> d = diff(expected, actual, ignore);
        if (!d.isEmpty()) {
            StringBuilder sb = new StringBuilder(d.size() + " differences between " + expected + " and " + actual + ":");
            for (int i = 0; i < Math.min(40, d.size()); i++) sb.append("\n  ").append(d.get(i));
            throw new AssertionError(sb.toString());
        }
    }

    public static void assertSame(Path expected, Path actual) {
        assertSame(expected, actual, EnumSet.noneOf(Aspect.class));
    }
}
