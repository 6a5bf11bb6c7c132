package io.imgcast.cli;

import io.imgcast.boot.BootBuild;
import io.imgcast.boot.BootCache;
import io.imgcast.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code imgcast boot}: network boot's commands (the boot environment's build; the client a booted machine runs). */
@Command(name = "boot", mixinStandardHelpOptions = true, description = "Network boot of bare machines: build the boot environment"
        + " that 'imgcast serve --boot' hands to machines booting from the network; the client a network-booted machine runs.",
        subcommands = {BootCommand.Build.class, BootClientCommand.class})
final class BootCommand implements Runnable {
    @Override
    public void run() {
        throw new CliException(ExitCode.USAGE, "say what to do: imgcast boot build|client (see 'imgcast boot --help')");
    }

    @Command(name = "build", mixinStandardHelpOptions = true, description = {
            "Make the network-boot environment: OUT/vmlinuz and OUT/initrd.img, from Debian's kernel (linux-image-amd64), busybox-static,"
                    + " the modules of common NICs and disk controllers, firmware from non-free-firmware when the apt sources offer it,"
                    + " and imgcast with its Java runtime. Packages come from 'apt-get download'; packages and builds are cached,"
                    + " so a second build with the same inputs only copies.",
            "Needs apt-cache, apt-get, dpkg-deb and ldd (a Debian system); root is not needed."})
    static final class Build implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where vmlinuz and initrd.img go (made if absent)") Path out;
        @Option(names = "--cache", paramLabel = "DIR", description = "packages and finished builds"
                + " (default: /var/cache/imgcast/boot as root, else ~/.cache/imgcast/boot)") Path cache;
        @Option(names = "--json", description = "print the result as one JSON object") boolean json;

        @Override
        public Integer call() throws Exception {
            Path dir = cache != null ? cache : defaultCache();
            String home = System.getProperty("imgcast.home");
            if (home == null) throw new CliException(ExitCode.ERROR, "imgcast.home is not set: run imgcast through its launcher (/usr/bin/imgcast or ./imgcast)");
            long t0 = System.nanoTime();
            BootBuild.Result r;
            try {
                Files.createDirectories(dir);
                r = new BootBuild(new BootCache(dir), Path.of(home), line -> System.err.println(line)).build(out);
            } catch (BootBuild.BuildException e) {
                throw new CliException(ExitCode.ERROR, "boot build: " + e.getMessage());
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("vmlinuz", r.vmlinuz().toString());
                m.put("initrd", r.initrd().toString());
                m.put("kernel_bytes", r.kernelBytes());
                m.put("initrd_bytes", r.initrdBytes());
                m.put("total_bytes", r.totalBytes());
                m.put("unpacked_bytes", r.unpackedBytes());
                m.put("kernel_version", r.kernelVersion());
                m.put("modules", r.modules());
                m.put("firmware_files", r.firmwareFiles());
                m.put("cached", r.cached());
                m.put("seconds", Math.round(s * 10) / 10.0);
                m.put("notes", r.notes());
                System.out.println(Json.write(m));
            } else {
                System.out.printf("%s: %.1f MiB (kernel %s)%n%s: %.1f MiB (%.1f MiB unpacked in RAM; %d modules, %d firmware files)%n"
                                + "total %.1f MiB of at most %d MiB; %s in %.1f s%n",
                        r.vmlinuz(), mib(r.kernelBytes()), r.kernelVersion(), r.initrd(), mib(r.initrdBytes()), mib(r.unpackedBytes()),
                        r.modules(), r.firmwareFiles(), mib(r.totalBytes()), BootBuild.MAX_BYTES >> 20,
                        r.cached() ? "from the cache" : "built", s);
            }
            return 0;
        }

        private static double mib(long b) {
            return b / 1048576.0;
        }

        private static Path defaultCache() {
            if ("root".equals(System.getProperty("user.name"))) return Path.of("/var/cache/imgcast/boot");
            String xdg = System.getenv("XDG_CACHE_HOME");
            return (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("imgcast/boot");
        }
    }
}
