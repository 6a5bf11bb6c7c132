package io.imgcast.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The boot build's cache directory: {@code debs/} holds the Debian packages fetched with
 * {@code apt-get download} (kept across builds: a new kernel version is a new file), and
 * {@code builds/KEY/} each finished build's {@code vmlinuz} and {@code initrd.img}, KEY being the
 * SHA-256 of a description of every input (package versions, the imgcast files' sizes and times,
 * the host libraries, the module list, the format). A build appears under its key only when
 * complete (renamed into place), so a killed build leaves no half result.
 */
public final class BootCache {
    /** Finished builds kept besides the newest; older ones are removed. */
    static final int KEEP = 2;
    private final Path dir;

    public BootCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path debs() throws IOException {
        return Files.createDirectories(dir.resolve("debs"));
    }

    /** The key of a build with these inputs: hex SHA-256 of the lines, in order. */
    public static String key(List<String> inputs) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String s : inputs) {
                md.update(s.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The finished build with this key, or null. */
    public Path finished(String key) {
        Path b = dir.resolve("builds").resolve(key);
        return Files.isRegularFile(b.resolve("vmlinuz")) && Files.isRegularFile(b.resolve("initrd.img")) ? b : null;
    }

    /** A fresh, empty work directory for a build (removed and made again). */
    public Path work() throws IOException {
        Path w = dir.resolve("work");
        deleteTree(w);
        return Files.createDirectories(w);
    }

    /** Moves a complete build directory into place under its key; prunes older builds. */
    public Path commit(String key, Path built) throws IOException {
        Path builds = Files.createDirectories(dir.resolve("builds"));
        Path target = builds.resolve(key);
        deleteTree(target);
        Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        prune(builds, target);
        return target;
    }

    private static void prune(Path builds, Path keep) throws IOException {
        List<Path> others = new ArrayList<>();
        try (Stream<Path> s = Files.list(builds)) {
            s.filter(p -> !p.equals(keep)).forEach(others::add);
        }
        others.sort(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed());
        for (int i = KEEP - 1; i < others.size(); i++) deleteTree(others.get(i));
    }

    /** Removes a directory tree (no-op if absent); does not follow symbolic links. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
