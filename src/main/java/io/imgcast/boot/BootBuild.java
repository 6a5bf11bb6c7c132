package io.imgcast.boot;

import com.github.luben.zstd.ZstdOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds the network-boot environment: {@code vmlinuz} and {@code initrd.img} from Debian's
 * packages (the kernel of {@code linux-image-amd64}, {@code busybox-static}, and the firmware
 * packages of non-free-firmware when the apt sources offer them), the modules of
 * {@link KernelModules#NICS} and {@link KernelModules#DISKS} with their dependencies and the
 * firmware they name, the host's glibc and the libraries the Java runtime links, and imgcast as
 * the Debian package lays it out. Packages and finished builds are kept in a {@link BootCache}.
 * Runs the external programs {@code apt-cache}, {@code apt-get download}, {@code dpkg-deb} and
 * {@code ldd}; each failure says what to do.
 */
public final class BootBuild {
    /** Bump when the layout of the initramfs changes: a new key, a new build. */
    static final String FORMAT = "imgcast-boot-1";
    /** The limit for kernel and initramfs together. */
    public static final long MAX_BYTES = 150L << 20;
    static final List<String> FIRMWARE_PACKAGES = List.of("firmware-realtek", "firmware-bnx2", "firmware-bnx2x", "firmware-misc-nonfree");
    static final List<String> EXTRA_LIBRARIES = List.of("libgcc_s.so.1", "libisal.so.2", "libcrypto.so.3");
    static final List<String> LIBRARY_DIRS = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu");

    /** What a build made. */
    public record Result(Path vmlinuz, Path initrd, long kernelBytes, long initrdBytes, long unpackedBytes, boolean cached,
                         String kernelVersion, int modules, int firmwareFiles, List<String> notes) {
        public long totalBytes() {
            return kernelBytes + initrdBytes;
        }
    }

    /** A failure with what to do about it. */
    public static final class BuildException extends IOException {
        public BuildException(String message) {
            super(message);
        }
    }

    private final BootCache cache;
    private final Path imgcastHome;
    private final Consumer<String> progress;
    private final List<String> notes = new ArrayList<>();

    /**
     * @param imgcastHome where imgcast runs from: the installed {@code /usr/lib/imgcast}, or a checkout
     *                    (whose {@code scripts/jlink-runtime.sh} stages the package layout)
     */
    public BootBuild(BootCache cache, Path imgcastHome, Consumer<String> progress) {
        this.cache = cache;
        this.imgcastHome = imgcastHome;
        this.progress = progress;
    }

    public Result build(Path out) throws IOException, InterruptedException {
        Path debs = cache.debs();
        // 1. Packages: the kernel linux-image-amd64 points to, busybox, the firmware apt offers.
        Pkg meta = show("linux-image-amd64");
        if (meta == null) throw new BuildException("apt knows no package linux-image-amd64: run 'apt-get update' (Debian's main component is needed)");
        String kernelPkg = meta.depends().split("[ ,(|]")[0];
        Pkg kernel = show(kernelPkg);
        if (kernel == null) throw new BuildException("apt knows no package " + kernelPkg + " (linux-image-amd64 depends on it): run 'apt-get update'");
        Pkg busybox = show("busybox-static");
        if (busybox == null) throw new BuildException("apt knows no package busybox-static: run 'apt-get update'");
        List<Pkg> firmware = new ArrayList<>();
        List<String> noFirmware = new ArrayList<>();
        for (String f : FIRMWARE_PACKAGES) {
            Pkg p = show(f);
            if (p != null) firmware.add(p);
            else noFirmware.add(f);
        }
        if (!noFirmware.isEmpty()) {
            note("firmware not offered by the apt sources, left out: " + String.join(", ", noFirmware)
                    + " (enable Debian's non-free-firmware component and run 'apt-get update'; see README, \"Bare metal\")");
        }
        List<Pkg> all = new ArrayList<>(List.of(kernel, busybox));
        all.addAll(firmware);
        for (Pkg p : all) fetch(p, debs);

        // 2. imgcast as the package lays it out.
        Path root = imgcastRoot();
        Map<String, Path> libs = hostLibraries(root);

        // 3. The key of all inputs; a finished build with it is copied, not made again.
        List<String> inputs = new ArrayList<>(List.of(FORMAT, String.join(",", KernelModules.NICS), String.join(",", KernelModules.DISKS)));
        for (Pkg p : all) inputs.add("deb " + p.fileName());
        inputs.add(describe(imgcastHome.resolve(".")));
        for (Map.Entry<String, Path> e : libs.entrySet()) inputs.add("lib " + e.getKey() + " " + Files.size(e.getValue()) + " " + Files.getLastModifiedTime(e.getValue()));
        // only imgcast's own files: installed, root is "/"
        try (Stream<Path> s = Stream.concat(Files.walk(root.resolve("usr/lib/imgcast")), Stream.of(root.resolve("usr/bin/imgcast")))) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    inputs.add("file " + root.relativize(p) + " " + Files.size(p) + " " + Files.getLastModifiedTime(p));
                }
            }
        }
        String key = BootCache.key(inputs);
        Path done = cache.finished(key);
        boolean cached = done != null;
        if (cached) {
            progress.accept("boot build: inputs unchanged, using the cached build " + key.substring(0, 12) + " in " + cache.dir());
        } else {
            done = make(key, kernel, busybox, firmware, root, libs);
        }
        Files.createDirectories(out);
        Files.copy(done.resolve("vmlinuz"), out.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(done.resolve("initrd.img"), out.resolve("initrd.img"), StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> info = readInfo(done.resolve("info"));
        if (cached && info.containsKey("notes")) for (String n : info.get("notes").split("\t")) if (!n.isBlank() && !notes.contains(n)) notes.add(n);
        Result r = new Result(out.resolve("vmlinuz"), out.resolve("initrd.img"), Files.size(out.resolve("vmlinuz")), Files.size(out.resolve("initrd.img")),
                Long.parseLong(info.getOrDefault("unpacked", "0")), cached, info.getOrDefault("kernel", "?"),
                Integer.parseInt(info.getOrDefault("modules", "0")), Integer.parseInt(info.getOrDefault("firmware", "0")), List.copyOf(notes));
        if (r.totalBytes() > MAX_BYTES) {
            throw new BuildException("the boot environment is " + (r.totalBytes() >> 20) + " MiB, over the limit of " + (MAX_BYTES >> 20) + " MiB");
        }
        return r;
    }

    private void note(String n) {
        notes.add(n);
        progress.accept("boot build: " + n);
    }

    private Path make(String key, Pkg kernel, Pkg busybox, List<Pkg> firmware, Path root, Map<String, Path> libs)
            throws IOException, InterruptedException {
        Path work = cache.work();
        Path debs = cache.debs();
        progress.accept("boot build: unpacking " + kernel.fileName());
        Path k = Files.createDirectories(work.resolve("kernel"));
        run(List.of("dpkg-deb", "-x", debs.resolve(kernel.fileName()).toString(), k.toString()), 600, "unpack " + kernel.fileName());
        Path bb = Files.createDirectories(work.resolve("busybox"));
        run(List.of("dpkg-deb", "-x", debs.resolve(busybox.fileName()).toString(), bb.toString()), 120, "unpack " + busybox.fileName());
        Path fw = Files.createDirectories(work.resolve("firmware"));
        for (Pkg p : firmware) {
            progress.accept("boot build: unpacking " + p.fileName());
            run(List.of("dpkg-deb", "-x", debs.resolve(p.fileName()).toString(), fw.toString()), 600, "unpack " + p.fileName());
        }

        Path vmlinuz;
        try (Stream<Path> s = Files.list(k.resolve("boot"))) {
            vmlinuz = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                    .orElseThrow(() -> new BuildException(kernel.fileName() + " holds no boot/vmlinuz-*: is it a kernel image package?"));
        }
        String version = vmlinuz.getFileName().toString().substring("vmlinuz-".length());
        Path modRoot = k.resolve("lib/modules").resolve(version);
        if (!Files.isDirectory(modRoot)) modRoot = k.resolve("usr/lib/modules").resolve(version);
        if (!Files.isDirectory(modRoot)) throw new BuildException(kernel.fileName() + " has no lib/modules/" + version);

        // Modules: index by name, resolve the wanted ones with their dependencies.
        Map<String, Path> byName = new TreeMap<>();
        try (Stream<Path> s = Files.walk(modRoot)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches(".*\\.ko(\\.xz|\\.zst)?")).toList()) {
                byName.put(KernelModules.nameOf(p.getFileName().toString()), p);
            }
        }
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        List<String> wanted = new ArrayList<>(KernelModules.NICS);
        wanted.addAll(KernelModules.DISKS);
        List<String> absent = new ArrayList<>();
        List<String> order;
        try {
            order = KernelModules.loadOrder(wanted, name -> {
                Path p = byName.get(name);
                if (p == null) return null;
                return KernelModules.dependsOf(bytes.computeIfAbsent(name, n -> readModule(p)));
            }, absent);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new BuildException(e.getMessage());
        }
        if (!absent.isEmpty()) progress.accept("boot build: built into the kernel or absent: " + String.join(" ", absent));

        Path tmp = Files.createDirectories(work.resolve("out"));
        Path initrd = tmp.resolve("initrd.img");
        int firmwareFiles = 0;
        long unpacked;
        progress.accept("boot build: writing the initramfs (" + order.size() + " modules, kernel " + version + ")");
        try (OutputStream fo = new BufferedOutputStream(Files.newOutputStream(initrd), 1 << 20);
             ZstdOutputStream zo = new ZstdOutputStream(fo, 9)) {
            zo.setWorkers(2);
            CpioWriter cpio = new CpioWriter(zo);
            Dirs dirs = new Dirs(cpio);
            for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "tmp", "root", "etc/imgcast")) dirs.dir(d);
            dirs.file("init", 0755, Files.readAllBytes(root.resolve("usr/lib/imgcast/boot/init")));
            dirs.file("usr/share/imgcast/udhcpc.script", 0755, Files.readAllBytes(root.resolve("usr/lib/imgcast/boot/udhcpc.script")));
            dirs.file("bin/busybox", 0755, Files.readAllBytes(bb.resolve("bin/busybox")));
            dirs.symlink("bin/sh", "busybox");
            dirs.file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
            dirs.file("etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.US_ASCII));
            dirs.file("etc/hosts", 0644, "127.0.0.1 localhost imgcast-boot\n::1 localhost\n".getBytes(StandardCharsets.US_ASCII));
            dirs.file("etc/imgcast/build", 0644, ("kernel " + version + ", " + key.substring(0, 12) + "\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder list = new StringBuilder();
            Set<String> fwNames = new java.util.TreeSet<>();
            for (String m : order) {
                Path p = byName.get(m);
                String rel = modRoot.relativize(p).toString();
                byte[] b = bytes.get(m);
                if (rel.endsWith(".xz") || rel.endsWith(".zst")) {
                    b = decompress(p);
                    rel = rel.substring(0, rel.lastIndexOf('.'));
                }
                dirs.file("lib/modules/" + version + "/" + rel, 0644, b);
                list.append(rel).append('\n');
                fwNames.addAll(KernelModules.firmwareOf(b));
            }
            dirs.file("etc/imgcast/modules", 0644, list.toString().getBytes(StandardCharsets.US_ASCII));
            for (String f : fwNames) {
                for (String base : List.of("lib/firmware/", "usr/lib/firmware/")) {
                    Path src = fw.resolve(base + f);
                    if (Files.isRegularFile(src)) {
                        Path real = src.toRealPath();
                        dirs.file("lib/firmware/" + f, 0644, Files.readAllBytes(real));
                        firmwareFiles++;
                        break;
                    }
                }
            }
            for (Map.Entry<String, Path> e : libs.entrySet()) {
                dirs.file(e.getKey().substring(1), 0755, Files.readAllBytes(e.getValue()));
            }
            // imgcast: /usr/lib/imgcast (without the start-up cache: its size, for half a second) and /usr/bin/imgcast
            Path home = root.resolve("usr/lib/imgcast");
            try (Stream<Path> s = Files.walk(home)) {
                for (Path p : s.sorted().toList()) {
                    String rel = "usr/lib/imgcast/" + home.relativize(p);
                    if (p.equals(home) || rel.endsWith(".aot") || rel.endsWith(".aot.config")) continue;
                    if (Files.isSymbolicLink(p)) dirs.symlink(rel, Files.readSymbolicLink(p).toString());
                    else if (Files.isDirectory(p)) dirs.dir(rel);
                    else dirs.copy(rel, executable(p) ? 0755 : 0644, p);
                }
            }
            dirs.file("usr/bin/imgcast", 0755, Files.readAllBytes(root.resolve("usr/bin/imgcast")));
            cpio.finish();
            unpacked = cpio.written();
        }
        Files.copy(vmlinuz, tmp.resolve("vmlinuz"));
        Files.writeString(tmp.resolve("info"), "kernel=" + version + "\nmodules=" + order.size() + "\nfirmware=" + firmwareFiles
                + "\nunpacked=" + unpacked + "\nnotes=" + String.join("\t", notes) + "\n");
        Path done = cache.commit(key, tmp);
        BootCache.deleteTree(work);
        return done;
    }

    private static boolean executable(Path p) throws IOException {
        return Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
    }

    private static byte[] readModule(Path p) {
        try {
            String n = p.getFileName().toString();
            return n.endsWith(".ko") ? Files.readAllBytes(p) : decompress(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] decompress(Path p) throws IOException {
        if (p.toString().endsWith(".zst")) {
            try (InputStream in = new com.github.luben.zstd.ZstdInputStream(Files.newInputStream(p))) {
                return in.readAllBytes();
            }
        }
        Process proc = new ProcessBuilder("xz", "-dc", p.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] b = proc.getInputStream().readAllBytes();
        try {
            if (proc.waitFor() != 0) throw new BuildException("xz -dc " + p + " failed (install xz-utils)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return b;
    }

    /** Writes each parent directory once, before its children. */
    private static final class Dirs {
        private final CpioWriter cpio;
        private final Set<String> made = new java.util.HashSet<>();

        Dirs(CpioWriter cpio) {
            this.cpio = cpio;
        }

        void dir(String path) throws IOException {
            if (path.isEmpty() || made.contains(path)) return;
            int slash = path.lastIndexOf('/');
            if (slash > 0) dir(path.substring(0, slash));
            cpio.directory(path, 0755);
            made.add(path);
        }

        void parent(String path) throws IOException {
            int slash = path.lastIndexOf('/');
            if (slash > 0) dir(path.substring(0, slash));
        }

        void file(String path, int mode, byte[] data) throws IOException {
            parent(path);
            cpio.file(path, mode, data);
        }

        void copy(String path, int mode, Path src) throws IOException {
            parent(path);
            try (InputStream in = Files.newInputStream(src)) {
                cpio.file(path, mode, Files.size(src), in);
            }
        }

        void symlink(String path, String target) throws IOException {
            parent(path);
            cpio.symlink(path, target);
        }
    }

    // ---- inputs ----

    /** A package apt offers: its name, candidate version, dependencies and the name apt-get download gives its file. */
    record Pkg(String name, String version, String arch, String depends) {
        String fileName() {
            return name + "_" + version.replace(":", "%3a") + "_" + arch + ".deb";
        }
    }

    /** The candidate of a package, or null when the apt sources do not offer it. */
    private Pkg show(String name) throws IOException, InterruptedException {
        Proc r = exec(List.of("apt-cache", "show", "--no-all-versions", name), 60);
        if (r.code != 0 || r.out.isBlank()) return null;
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : r.out.split("\n")) {
            if (line.isBlank()) break;
            int c = line.indexOf(':');
            if (c > 0 && !line.startsWith(" ")) f.putIfAbsent(line.substring(0, c), line.substring(c + 1).trim());
        }
        if (!f.containsKey("Version")) return null;
        return new Pkg(name, f.get("Version"), f.getOrDefault("Architecture", "amd64"), f.getOrDefault("Depends", ""));
    }

    private void fetch(Pkg p, Path debs) throws IOException, InterruptedException {
        if (Files.isRegularFile(debs.resolve(p.fileName()))) return;
        progress.accept("boot build: apt-get download " + p.name() + "=" + p.version());
        Proc r = exec(List.of("apt-get", "download", "-q", p.name() + "=" + p.version()), 1800, debs);
        if (r.code != 0 || !Files.isRegularFile(debs.resolve(p.fileName()))) {
            throw new BuildException("apt-get download " + p.name() + " failed (check the network and apt sources; 'apt-get update' may help): "
                    + lastLine(r.out));
        }
    }

    /** The directory that holds usr/lib/imgcast and usr/bin/imgcast: the installed system, or a staged checkout. */
    private Path imgcastRoot() throws IOException, InterruptedException {
        if (Files.isExecutable(imgcastHome.resolve("runtime/bin/java")) && imgcastHome.endsWith(Path.of("usr/lib/imgcast"))) {
            Path root = imgcastHome.getParent().getParent().getParent();
            if (!Files.isRegularFile(root.resolve("usr/bin/imgcast"))) throw new BuildException("no " + root.resolve("usr/bin/imgcast") + ": reinstall imgcast");
            if (!Files.isRegularFile(imgcastHome.resolve("boot/init"))) throw new BuildException("no " + imgcastHome.resolve("boot/init") + ": reinstall imgcast");
            return root;
        }
        Path script = imgcastHome.resolve("scripts/jlink-runtime.sh");
        if (!Files.isRegularFile(script)) {
            throw new BuildException("cannot find imgcast's runtime under " + imgcastHome + ": run the installed imgcast (Debian package) or ./imgcast of a checkout");
        }
        Path stage = cache.dir().resolve("stage");
        String want = describe(imgcastHome);
        Path mark = stage.resolve(".inputs");
        if (Files.isRegularFile(mark) && Files.readString(mark).equals(want)) return stage;
        progress.accept("boot build: staging imgcast with its Java runtime (scripts/jlink-runtime.sh)");
        BootCache.deleteTree(stage);
        Proc r = exec(List.of("bash", script.toString(), stage.toString()), 1800);
        if (r.code != 0) throw new BuildException("scripts/jlink-runtime.sh failed: " + lastLine(r.out) + " (build first: mvn package)");
        Files.writeString(mark, want);
        return stage;
    }

    /** Sizes and times of a checkout's build outputs and boot files (what the staged tree is made of); "" when installed. */
    private static String describe(Path home) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String d : List.of("target/lib", "packaging/boot")) {
            Path dir = home.resolve(d);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) b.append(d).append('/').append(p.getFileName()).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p)).append('\n');
            }
        }
        try (Stream<Path> s = Files.exists(home.resolve("target")) ? Files.list(home.resolve("target")) : Stream.empty()) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("imgcast-.*\\.jar")).sorted().toList()) {
                b.append(p.getFileName()).append(' ').append(Files.size(p)).append(' ').append(Files.getLastModifiedTime(p)).append('\n');
            }
        }
        return b.toString();
    }

    /** Shared libraries the runtime's programs and libraries link, plus the ones imgcast opens itself when present: path -> real file. */
    private Map<String, Path> hostLibraries(Path root) throws IOException, InterruptedException {
        List<String> elf = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root.resolve("usr/lib/imgcast"))) {
            for (Path p : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".so") || p.getParent().getFileName().toString().equals("bin")) elf.add(p.toString());
            }
        }
        for (String lib : EXTRA_LIBRARIES) {
            for (String d : LIBRARY_DIRS) {
                if (Files.isRegularFile(Path.of(d, lib))) {
                    elf.add(d + "/" + lib);
                    break;
                }
            }
        }
        Map<String, Path> libs = new TreeMap<>();
        for (String e : elf) if (e.startsWith("/lib") || e.startsWith("/usr/lib/x86_64")) libs.put(e, Path.of(e).toRealPath());
        Proc r = exec(concat(List.of("ldd"), elf), 120);
        for (String line : r.out.split("\n")) {
            String t = line.trim();
            String path = null;
            int arrow = t.indexOf("=> ");
            if (arrow >= 0) {
                String rest = t.substring(arrow + 3);
                if (rest.startsWith("/")) path = rest.substring(0, rest.indexOf(' ') > 0 ? rest.indexOf(' ') : rest.length());
            } else if (t.startsWith("/") && t.contains(" (0x")) {
                path = t.substring(0, t.indexOf(' '));
            }
            if (path != null && !path.startsWith(root.toString()) && !path.startsWith("/usr/lib/imgcast") && Files.isRegularFile(Path.of(path))) {
                libs.put(path, Path.of(path).toRealPath());
            }
        }
        if (libs.keySet().stream().noneMatch(p -> p.endsWith("/libc.so.6"))) {
            throw new BuildException("ldd found no libc.so.6 for the Java runtime (is libc6 installed? " + lastLine(r.out) + ")");
        }
        return libs;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    private static Map<String, String> readInfo(Path p) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.isRegularFile(p)) return m;
        for (String line : Files.readAllLines(p)) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    private record Proc(int code, String out) {}

    private static Proc exec(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        return exec(cmd, timeoutSeconds, null);
    }

    private static Proc exec(List<String> cmd, int timeoutSeconds, Path dir) throws IOException, InterruptedException {
        // output to a file, so that the wait below is bounded even when the program hangs
        Path out = Files.createTempFile("imgcast-boot-build", ".out");
        try {
            Process p;
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
                if (dir != null) pb.directory(dir.toFile());
                pb.environment().put("LC_ALL", "C");
                p = pb.start();
            } catch (IOException e) {
                throw new BuildException("cannot run " + cmd.getFirst() + ": " + e.getMessage() + " (on Debian: apt-get install apt dpkg libc-bin)");
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BuildException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Proc(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void run(List<String> cmd, int timeoutSeconds, String what) throws IOException, InterruptedException {
        Proc r = exec(cmd, timeoutSeconds);
        if (r.code != 0) throw new BuildException("cannot " + what + ": " + lastLine(r.out) + " (remove the cache directory's debs/ to fetch it again)");
    }
}
