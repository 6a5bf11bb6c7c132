package io.imgcast.packaging;

import io.imgcast.util.Posix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Debian package, built once by {@code scripts/build-deb.sh} (or the one named by
 * {@code -Dimgcast.deb=FILE}), installed into a throwaway root without any JDK
 * ({@link InstalledRoot}): imgcast runs there, its unit passes {@code systemd-analyze verify}, and
 * the server starts from the unit's command line and the shipped configuration. Needs root.
 * Inside a Maven test run the script's {@code mvn package} finds this run's classes up to date
 * and only packages them (about 1.5 minutes in all here, jlink and the start-up cache included).
 */
class PackagingTest {
    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path HOST_LIBS = Path.of("/usr/lib/x86_64-linux-gnu");
    private static Path deb;
    private static InstalledRoot root;

    @BeforeAll
    static void buildAndInstall() throws IOException {
        assumeTrue(Posix.isRoot(), "needs root: chroot, unshare and mknod in a throwaway root");
        for (Path tool : List.of(InstalledRoot.UNSHARE, InstalledRoot.CHROOT, Path.of("/usr/bin/dpkg-deb"), Path.of("/usr/bin/ldd"))) {
            assumeTrue(Files.isExecutable(tool), "needs " + tool);
        }
        String given = System.getProperty("imgcast.deb");
        if (given != null && !given.isBlank()) {
            deb = Path.of(given).toAbsolutePath();
        } else {
            Proc.Result built = Proc.run(List.of("bash", "scripts/build-deb.sh"), null, REPO, 1800).ok();
            String[] lines = built.out().strip().split("\n");
            deb = REPO.resolve(lines[lines.length - 1]);
        }
        assertTrue(Files.isRegularFile(deb), "no package at " + deb);
        root = InstalledRoot.install(deb);
    }

    @AfterAll
    static void removeRoot() throws IOException {
        if (root != null) root.close();
    }

    @Test
    void packageIsNamedAndDescribedForDpkg() {
        String version = projectVersion().replace('-', '~');
        assertEquals(REPO.resolve("target/imgcast_" + version + "_amd64.deb").getFileName(), deb.getFileName());
        assertEquals("imgcast", field("Package"));
        assertEquals(version, field("Version"));
        assertEquals("amd64", field("Architecture"));
        Set<String> depends = packageNames(field("Depends"));
        assertTrue(depends.containsAll(Set.of("libc6", "fdisk", "iproute2")), "Depends: " + depends); // sfdisk, ip route
        assertTrue(packageNames(field("Recommends")).containsAll(Set.of("libisal2", "libssl3")), field("Recommends"));
        String conffiles = Proc.run("dpkg-deb", "-I", deb.toString(), "conffiles").ok().out();
        assertEquals("/etc/imgcast/server.conf", conffiles.strip());
        String listing = Proc.run("dpkg-deb", "-c", deb.toString()).ok().out();
        for (String line : listing.split("\n")) {
            assertTrue(line.split("\\s+")[1].equals("root/root"), "not owned by root: " + line);
        }
        for (String path : List.of("./usr/bin/imgcast", "./usr/lib/imgcast/runtime/bin/java", "./usr/lib/imgcast/lib/imgcast.jar",
                "./usr/lib/systemd/system/imgcast-server.service", "./usr/lib/tmpfiles.d/imgcast.conf", "./etc/imgcast/server.conf")) {
            assertTrue(listing.contains(" " + path + "\n") || listing.contains(" " + path + " "), "package lacks " + path);
        }
    }

    /** Every library the packaged programs link against comes from a package the Depends name. */
    @Test
    void dependsCoverTheLibrariesTheRuntimeLinks() throws IOException {
        Set<String> depends = packageNames(field("Depends"));
        Set<Path> libs = root.hostLibraries(root.elfFiles());
        assertFalse(libs.isEmpty());
        for (Path lib : libs) {
            Proc.Result owner = Proc.run("dpkg", "-S", lib.toString());
            if (owner.code() != 0 && lib.startsWith("/usr/")) owner = Proc.run("dpkg", "-S", lib.toString().substring(4));
            if (owner.code() != 0 && !lib.startsWith("/usr/")) owner = Proc.run("dpkg", "-S", "/usr" + lib);
            owner.ok();
            String pkg = owner.out().substring(0, owner.out().indexOf(':'));
            assertTrue(depends.contains(pkg), lib + " is in " + pkg + ", which Depends does not name: " + depends);
        }
    }

    @Test
    void runsWithoutAJdkAndUsesTheRecommendedLibrariesWhenInstalled() throws IOException {
        assertFalse(Files.exists(root.dir.resolve("usr/lib/jvm")));
        try (Stream<Path> s = Files.walk(root.dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName() != null && p.getFileName().toString().equals("javac")), "a javac in the root");
        }
        // AOTMode=on: the JVM refuses to start if it cannot map the start-up cache made at build time;
        // the class-load log shows our classes coming from it at the installed path
        Proc.Result v = root.run(Map.of("IMGCAST_JAVA_OPTS", "-XX:AOTMode=on -Xlog:class+load=info:file=/tmp/class-load.log"),
                "/usr/bin/imgcast", "--version").ok();
        Path classLoad = root.dir.resolve("tmp/class-load.log");
        assertTrue(Files.readString(classLoad).contains("io.imgcast.cli.Main source: shared objects file"), "Main not from the start-up cache");
        Files.delete(classLoad);
        assertTrue(v.out().startsWith("imgcast "), v.out());
        assertTrue(v.out().contains("Java 25"), v.out());
        assertTrue(v.out().contains("FEC kernel: Java tables"), v.out());
        assertTrue(v.out().contains("SHA-256: JDK"), v.out());
        assertEquals("", v.err());

        Path isal = HOST_LIBS.resolve("libisal.so.2");
        Path crypto = HOST_LIBS.resolve("libcrypto.so.3");
        assumeTrue(Files.exists(isal) && Files.exists(crypto), "libisal2 and libssl3 not installed on this host");
        root.addFromHost(isal);
        root.addFromHost(crypto);
        Proc.Result withLibs = root.run(Map.of(), "/usr/bin/imgcast", "--version").ok();
        assertTrue(withLibs.out().contains("FEC kernel: ISA-L"), withLibs.out());
        assertTrue(withLibs.out().contains("SHA-256: OpenSSL"), withLibs.out());
    }

    @Test
    void capturesAndListsAStoreWithoutAJdk() throws IOException {
        Path tree = root.dir.resolve("srv/list-tree");
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/hostname"), "lab-1\n");
        root.run(Map.of(), "/usr/bin/imgcast", "capture", "/srv/list-tree", "--name", "packaged-1", "--store", "/srv/list-store", "-q").ok();
        Proc.Result list = root.run(Map.of(), "/usr/bin/imgcast", "list", "--store", "/srv/list-store").ok();
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("packaged-1 ") && l.contains("file-tree")), list.out());
        assertTrue(list.out().contains("1 images"), list.out());
        Proc.Result missing = root.run(Map.of(), "/usr/bin/imgcast", "list", "--store", "/srv/no-store");
        assertEquals(4, missing.code(), "exit 4: no such store; " + missing);
    }

    @Test
    void unitPassesSystemdVerify() throws IOException {
        Path systemdAnalyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(systemdAnalyze), "needs systemd-analyze");
        // verify --root resolves the unit's dependencies (multi-user.target, network-online.target...)
        // and its programs inside the root: give it the host's system units beside the package's
        Path units = root.dir.resolve("usr/lib/systemd/system");
        Path hostUnits = Path.of("/usr/lib/systemd/system");
        assumeTrue(Files.isDirectory(hostUnits.resolve("multi-user.target")) || Files.exists(hostUnits.resolve("multi-user.target")),
                "no systemd units on this host");
        Proc.run("cp", "-rn", hostUnits + "/.", units + "/").ok();
        Proc.Result r = Proc.run(List.of(systemdAnalyze.toString(), "verify", "--root=" + root.dir, "imgcast-server.service"),
                null, null, 120);
        // verify exits 0 on unknown keys and bad values, only warning about them: no output is the pass
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err().strip(), r.toString());
        assertEquals("", r.out().strip(), r.toString());
    }

    /** The store and state directories come from the postinst (no systemd needed) and from tmpfiles.d, state private. */
    @Test
    void postinstAndTmpfilesMakeTheStoreAndStateDirectories() throws IOException {
        Path state = root.dir.resolve("var/lib/imgcast/state");
        // the postinst as dpkg runs it, in the root, without systemd: it needs only mkdir and chmod
        Path postinst = root.dir.resolve("var/lib/dpkg/info/imgcast.postinst");
        Files.createDirectories(postinst.getParent());
        Proc.run(List.of("sh", "-c", "dpkg-deb --ctrl-tarfile \"$1\" | tar -xO ./postinst > \"$2\"", "sh", deb.toString(), postinst.toString()),
                null, null, 60).ok();
        root.addFromHost(Path.of("/usr/bin/mkdir"));
        root.addFromHost(Path.of("/usr/bin/chmod"));
        root.run(Map.of(), "/bin/sh", "/var/lib/dpkg/info/imgcast.postinst", "configure", "").ok();
        assertTrue(Files.isDirectory(root.dir.resolve("var/lib/imgcast/store")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));

        Path tmpfiles = Path.of("/usr/bin/systemd-tmpfiles");
        assumeTrue(Files.isExecutable(tmpfiles), "needs systemd-tmpfiles");
        // the serve test may have left the server's state.db there: the directory goes with it
        try (Stream<Path> s = Files.walk(state)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Proc.run(tmpfiles.toString(), "--root=" + root.dir, "--create", "imgcast.conf").ok();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.dir.resolve("var/lib/imgcast/store"))));
    }

    /**
     * The unit's ExecStart, expanded as systemd does with the shipped server.conf (as an admin
     * edits it: the interface set), starts the server inside the root; every option it passes is
     * one serve knows, every setting it reads is documented in server.conf.
     */
    @Test
    void serverStartsFromTheUnitAndTheShippedConfig() throws Exception {
        Unit unit = Unit.parse(Files.readString(root.dir.resolve("usr/lib/systemd/system/imgcast-server.service")));
        Path conf = root.dir.resolve("etc/imgcast/server.conf");
        String confText = Files.readString(conf);
        for (String var : unit.variables()) {
            assertTrue(Pattern.compile("(?m)^#?" + var + "=").matcher(confText).find(), var + " is not documented in server.conf");
        }
        String help = root.run(Map.of(), "/usr/bin/imgcast", "serve", "--help").ok().out();
        for (String opt : unit.execStart()) {
            if (opt.startsWith("--")) assertTrue(help.contains(opt + "="), "serve has no option " + opt);
        }
        assertEquals("/var/lib/imgcast/store", unit.environment().get("IMGCAST_STORE"));

        // as shipped, the interface is unset: the unit's check stops before serve, saying where to set it
        Map<String, String> shipped = new LinkedHashMap<>(unit.environment());
        shipped.putAll(Unit.environmentFile(confText));
        Proc.Result pre = root.run(shipped, "/bin/sh", "-c", unit.preScript());
        assertEquals(1, pre.code(), pre.toString());
        assertTrue(pre.err().contains("set IMGCAST_INTERFACE in /etc/imgcast/server.conf"), pre.toString());

        Files.writeString(conf, confText.replaceFirst("(?m)^IMGCAST_INTERFACE=$", "IMGCAST_INTERFACE=veth0"));
        Map<String, String> env = new LinkedHashMap<>(unit.environment());
        env.putAll(Unit.environmentFile(Files.readString(conf)));
        List<String> argv = unit.expand(env);
        assertEquals(List.of("/usr/bin/imgcast", "serve", "--interface", "veth0"), argv.subList(0, 4));
        root.run(env, "/bin/sh", "-c", unit.preScript()).ok();

        // a store to serve, where the package puts it (postinst or tmpfiles.d would have made the directory)
        Path tree = root.dir.resolve("srv/serve-tree");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("motd"), "served\n");
        root.run(env, "/usr/bin/imgcast", "capture", "/srv/serve-tree", "--name", "served-1", "--store", "/var/lib/imgcast/store", "-q").ok();

        // the network: a veth pair inside the fresh network namespace only
        String net = "ip link set lo up && ip link add veth0 type veth peer name veth1 && ip addr add 10.213.0.1/24 dev veth0"
                + " && ip link set veth1 up && ip link set veth0 up && exec \"$@\"";
        List<String> inner = new ArrayList<>(List.of("/bin/sh", "-c", net, "sh", InstalledRoot.CHROOT.toString(), root.dir.toString()));
        inner.addAll(argv);
        List<String> cmd = new ArrayList<>(List.of(InstalledRoot.UNSHARE.toString(), "--mount", "--pid", "--net", "--fork", "--kill-child",
                "--mount-proc=" + root.dir.resolve("proc")));
        cmd.addAll(inner);
        Path out = Files.createTempFile("imgcast-serve-", ".log");
        Map<String, String> childEnv = InstalledRoot.environment(env);
        childEnv.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"); // the host's ip and chroot, then the root's own
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().clear();
        pb.environment().putAll(childEnv);
        Process p = pb.start();
        try {
            String log = "";
            for (int i = 0; i < 600 && p.isAlive() && !log.contains("serving store"); i++) {
                Thread.sleep(200);
                log = Files.readString(out);
            }
            log = Files.readString(out);
            assertTrue(log.contains("serving store /var/lib/imgcast/store"), "server did not start:\n" + log);
            assertTrue(log.contains("via veth0"), log);
            assertTrue(p.isAlive(), "server exited:\n" + log);
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(out);
        }
    }

    private static String field(String name) {
        return Proc.run("dpkg-deb", "-f", deb.toString(), name).ok().out().strip();
    }

    /** Package names in a relationship field: "a (>= 1), b | c" gives a, b, c. */
    private static Set<String> packageNames(String relation) {
        Set<String> names = new TreeSet<>();
        for (String alt : relation.split("[,|]")) {
            String n = alt.strip().replaceAll("\\s*\\(.*\\)$", "").replaceAll(":.*$", "");
            if (!n.isEmpty()) names.add(n);
        }
        return names;
    }

    private static String projectVersion() {
        try {
            String pom = Files.readString(REPO.resolve("pom.xml"));
            Matcher m = Pattern.compile("<artifactId>imgcast</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
            if (!m.find()) fail("no project version in pom.xml");
            return m.group(1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
