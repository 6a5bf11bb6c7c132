package io.imgcast.cli;

import io.imgcast.cast.ServedImage;
import io.imgcast.image.Apply;
import io.imgcast.peer.PeerMaster;
import io.imgcast.server.StoreCatalog;
import io.imgcast.store.Store;
import io.imgcast.util.Json;
import io.imgcast.util.Progress;
import io.imgcast.util.Timing;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(mixinStandardHelpOptions = true, name = "apply", description = {"Apply an image from the store to an empty or new directory (file tree) or to a device/file (volume).",
        "A volume image refuses a mounted or otherwise busy device, a file another process holds a lock on, and a file larger than"
                + " the image (it would be shrunk), unless --force."})
final class ApplyCommand implements Callable<Integer>, FastCli.Bindable {
    @Parameters(index = "0", paramLabel = "NAME", description = "image to apply") String name;
    @Parameters(index = "1", paramLabel = "TARGET", description = "file tree: an empty or new directory; volume: a block device, or a file (created or replaced)") Path target;
    @Option(names = "--threads", paramLabel = "N", description = "parallel writers (default: cores + 1)") Integer threads;
    @Option(names = "--force", description = "a volume image: write even to a mounted or busy device, a locked file, or a larger file (shrinking it);"
            + " a file tree: empty a directory that an interrupted apply left incomplete and start over (by default the apply resumes)") boolean force;
    @Option(names = "--fresh", description = "the volume target is blank or to be overwritten: write a file in place (a larger file keeps its size), punch or device-zero the image's zero holes, leave unused blocks alone") boolean fresh;
    @Option(names = "--json", description = "print the result as one JSON object on standard output (and no progress)") boolean json;
    @Option(names = {"-q", "--quiet"}, description = "no progress (a bar on a terminal, else a line on standard error every few seconds)") boolean quiet;
    @Mixin StoreOption store;
    @Option(names = "--rebroadcast", description = "at the same time, send the image to peers on --interface (mode 5); they run 'imgcast receive --from-peer'") boolean rebroadcast;
    @Mixin MasterOptions master;

    // Keep in step with the annotations above (FastCliTest compares both paths).
    private static final java.util.Set<String> QUIET = java.util.Set.of("-q", "--quiet"), JSON = java.util.Set.of("--json"),
            THREADS = java.util.Set.of("--threads"), STORE = java.util.Set.of("--store"), FORCE = java.util.Set.of("--force");

    @Override
    public boolean bindFast(String[] args) {
        FastCli a = FastCli.scan(args, List.of(QUIET, JSON, FORCE), List.of(THREADS, STORE));
        if (a == null || a.positional().size() != 2) return false;
        String t = a.value(THREADS);
        threads = FastCli.parseInt(t, null);
        if (t != null && threads == null) return false;
        name = a.positional().get(0);
        target = Path.of(a.positional().get(1));
        json = a.flag(JSON);
        quiet = a.flag(QUIET);
        force = a.flag(FORCE);
        store = new StoreOption();
        master = new MasterOptions();
        if (a.value(STORE) != null) store.store = Path.of(a.value(STORE));
        return true;
    }

    @Override
    public Integer call() throws Exception {
        if (rebroadcast) return applyAndRebroadcast();
        Timing.mark("picocli");
        long t0 = System.nanoTime();
        try (Store s = store.open(); Progress p = Progress.forTerminal("apply " + name, 0, quiet || json)) {
            Timing.mark("store-open");
            StoreOption.image(s, name);
            int n = threads != null ? threads : Runtime.getRuntime().availableProcessors() + 1;
            Apply.Result r = Apply.run(s, name, target, n, p, force, fresh);
            long took = System.nanoTime() - t0;
            p.close();
            if (json) {
                System.out.println(Json.write(Map.of("image", name, "target", target.toString(), "bytes", r.bytes(),
                        "seconds", took / 1e9, "warnings", r.warnings())));
            } else {
                System.out.printf("applied %s to %s: %s in %s (%s), every chunk verified%n", name, target, Units.bytes(r.bytes()),
                        Units.seconds(took), Units.rate(r.bytes(), took));
                if (r.warnings() > 0) {
                    System.err.printf("%d warnings (metadata not restored), e.g.:%n", r.warnings());
                    r.warningSamples().forEach(w -> System.err.println("  " + w));
                }
            }
            return 0;
        }
    }

    /** Mode 5: apply locally while a peer-to-peer session sends the same image from the store. */
    private int applyAndRebroadcast() throws Exception {
        PeerMaster.Config cfg = master.config();
        PrintStream say = json ? System.err : System.out;
        try (Store s = store.open(); StoreCatalog catalog = new StoreCatalog(s)) {
            StoreOption.image(s, name);
            ServedImage img = catalog.image(name);
            PeerMaster pm = master.master(cfg, null, say);
            MasterOptions.operatorStart(pm, say);
            AtomicReference<Object> applied = new AtomicReference<>();
            int n = threads != null ? threads : Runtime.getRuntime().availableProcessors() + 1;
            Thread local = Thread.ofPlatform().name("imgcast-apply").start(() -> {
                long t0 = System.nanoTime();
                try {
                    Apply.Result r = Apply.run(s, name, target, n, Progress.NONE, force, fresh);
                    say.printf("applied %s to %s: %s in %s, every chunk verified%n", name, target, Units.bytes(r.bytes()),
                            Units.seconds(System.nanoTime() - t0));
                    applied.set(r);
                } catch (RuntimeException e) {
                    applied.set(e);
                }
            });
            say.printf("session of %s from %s on %s, applying it to %s meanwhile%n", name, s.dir(), cfg.iface(), target);
            PeerMaster.Summary sum = pm.run(catalog, name, img.kind().name(), img.totalBytes(), "", () -> img,
                    MasterOptions.liveList(say));
            local.join();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("image", name);
            extra.put("target", target.toString());
            extra.put("applied", applied.get() instanceof Apply.Result);
            if (applied.get() instanceof RuntimeException e) {
                extra.put("apply_error", e.getMessage());
                System.err.println("imgcast: applying " + name + " to " + target + " failed: " + e.getMessage());
            }
            int rc = MasterOptions.report(sum, json, System.out, extra);
            return applied.get() instanceof Apply.Result ? rc : ExitCode.ERROR.code;
        }
    }
}
