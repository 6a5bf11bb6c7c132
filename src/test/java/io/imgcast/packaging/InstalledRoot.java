package io.imgcast.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A throwaway root with the package installed and nothing else a program could lean on: the
 * package's files ({@code dpkg -x}), {@code /bin/sh}, the host's shared libraries that the
 * package's programs and JNI libraries link against (found with {@code ldd}), {@code /dev/null}
 * and the random devices. No JDK, no coreutils. Commands run in it by {@code chroot}, in fresh
 * mount, PID and network namespaces ({@code unshare}: /proc mounted inside, gone with the last
 * process; a network with only a down loopback), with an emptied environment. So a command that
 * works here works on a machine with the package and its Depends, and no JDK.
 *
 * <p>Chroot, not a tmpfs over /usr/lib/jvm: that would leave every other file of the host in view
 * (another JDK elsewhere, libraries the Depends do not name), and prove less.
 */
final class InstalledRoot implements AutoCloseable {
    static final Path UNSHARE = Path.of("/usr/bin/unshare");
    static final Path CHROOT = Path.of("/usr/sbin/chroot");
    private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");
    private static final Pattern LDD_MISSING = Pattern.compile("^\\s*(\\S+)\\s+=>\\s+not found");

    final Path dir;

    private InstalledRoot(Path dir) {
        this.dir = dir;
    }

    /** Extracts {@code deb} into a new temporary directory and adds the minimal system around it. */
    static InstalledRoot install(Path deb) throws IOException {
        InstalledRoot r = new InstalledRoot(Files.createTempDirectory("imgcast-deb-root-"));
        try {
            Proc.run("dpkg-deb", "-x", deb.toString(), r.dir.toString()).ok();
            // merged /usr, as on Debian 12 and later
            for (String d : List.of("bin", "lib", "lib64", "sbin")) {
                Files.createDirectories(r.dir.resolve("usr").resolve(d));
                Files.createSymbolicLink(r.dir.resolve(d), Path.of("usr", d));
            }
            for (String d : List.of("proc", "dev", "tmp", "srv", "etc")) Files.createDirectories(r.dir.resolve(d));
            Proc.run("chmod", "1777", r.dir.resolve("tmp").toString()).ok();
            for (String[] dev : new String[][] {{"null", "3"}, {"zero", "5"}, {"random", "8"}, {"urandom", "9"}}) {
                Path node = r.dir.resolve("dev").resolve(dev[0]);
                Proc.run("mknod", "-m", "666", node.toString(), "c", "1", dev[1]).ok();
            }
            Path sh = Path.of("/bin/sh").toRealPath();
            Files.copy(sh, r.dir.resolve("usr/bin/sh"));
            List<Path> programs = new ArrayList<>(r.elfFiles());
            programs.add(sh);
            r.copyHostLibraries(programs);
            return r;
        } catch (IOException | RuntimeException | Error e) {
            r.close();
            throw e;
        }
    }

    /** The ELF files the package installed (the runtime's programs and libraries, the JNI libraries). */
    List<Path> elfFiles() throws IOException {
        List<Path> elf = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir.resolve("usr/lib/imgcast"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] m = in.readNBytes(4);
                    if (m.length == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F') elf.add(p);
                }
            }
        }
        return elf;
    }

    /**
     * The host libraries {@code files} need, by {@code ldd}: absolute paths outside this root. A
     * library ldd cannot find must be one the package itself holds (the runtime's libjvm.so, found
     * through the runtime's own search path), else this fails.
     */
    Set<Path> hostLibraries(List<Path> files) throws IOException {
        Set<String> packaged = new TreeSet<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> packaged.add(p.getFileName().toString()));
        }
        Set<Path> libs = new TreeSet<>();
        for (Path f : files) {
            Proc.Result r = Proc.run("ldd", f.toString());
            if (r.code() != 0) continue; // not dynamically linked
            for (String line : r.out().split("\n")) {
                Matcher miss = LDD_MISSING.matcher(line);
                if (miss.find()) {
                    if (!packaged.contains(miss.group(1))) throw new AssertionError(f + " needs " + miss.group(1) + ", found nowhere");
                    continue;
                }
                Matcher m = LDD_PATH.matcher(line);
                if (m.find()) {
                    Path lib = Path.of(m.group(1));
                    if (!lib.startsWith(dir)) libs.add(lib);
                }
            }
        }
        return libs;
    }

    /** Copies the host libraries {@code files} need to the same paths in this root, then indexes them (ldconfig). */
    void copyHostLibraries(List<Path> files) throws IOException {
        for (Path lib : hostLibraries(files)) {
            Path to = dir.resolve(lib.toString().substring(1));
            Files.createDirectories(to.getParent());
            Files.copy(lib.toRealPath(), to, StandardCopyOption.REPLACE_EXISTING);
        }
        Proc.run("ldconfig", "-r", dir.toString()).ok();
    }

    /** Adds a host program or library, and the libraries it needs, at the same path in this root (as installing its package would). */
    void addFromHost(Path file) throws IOException {
        Path to = dir.resolve(file.toString().substring(1));
        Files.createDirectories(to.getParent());
        Files.copy(file.toRealPath(), to, StandardCopyOption.REPLACE_EXISTING);
        copyHostLibraries(List.of(file));
    }

    /** Runs {@code argv} inside this root, with only PATH and {@code env} in its environment. */
    Proc.Result run(Map<String, String> env, String... argv) {
        return Proc.run(command(List.of(argv)), environment(env), null, 300);
    }

    /** The host-side command line that runs {@code argv} inside this root. */
    List<String> command(List<String> argv) {
        List<String> cmd = new ArrayList<>(List.of(UNSHARE.toString(), "--mount", "--pid", "--net", "--fork", "--kill-child",
                "--mount-proc=" + dir.resolve("proc"), CHROOT.toString(), dir.toString()));
        cmd.addAll(argv);
        return cmd;
    }

    static Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.putAll(extra);
        return env;
    }

    /** Removes the root. Refuses (and says so) while anything is still mounted under it. */
    @Override
    public void close() throws IOException {
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        for (String line : mounts.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 4 && Path.of(f[4].replace("\\040", " ")).startsWith(dir)) {
                throw new IOException("still mounted under " + dir + ": " + f[4] + " (not removed)");
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
