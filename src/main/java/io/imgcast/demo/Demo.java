package io.imgcast.demo;

import com.fasterxml.jackson.jr.ob.JSON;
import io.imgcast.cli.Main;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.util.Units;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The demo: in a private network lab it creates (namespaces and a bridge, via lab/lab.sh) and
 * always removes, it captures two related sample images, starts a server and several receivers
 * (some wanting each image, one joining late), and reports per machine and for the session.
 */
public final class Demo {
    public record Options(int receivers, double lossPct, String rate, int scale, Path labScript, boolean keep) {}

    private final Options o;
    private final PrintStream out;
    private final String name = "demo" + (ProcessHandle.current().pid() % 1000);

    public Demo(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
    }

    private List<String> self(Object... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.imgcast.cli.Main"));
        for (Object a : args) cmd.add(String.valueOf(a));
        return cmd;
    }

    /** The output of the last lab.sh command (to say why the lab could not be made). */
    private volatile String labOutput = "";

    private int lab(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", o.labScript().toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("imgcast-lab", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                labOutput = "lab.sh " + args[0] + " did not finish within 180 s";
                return -1;
            }
            labOutput = Files.readString(log, StandardCharsets.UTF_8).strip();
            return p.exitValue();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private Process inNs(String host, List<String> cmd, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name + "-" + host));
        full.addAll(cmd);
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private long txBytes() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", name + "-s", "cat", "/sys/class/net/eth0/statistics/tx_bytes")
                .redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return Long.parseLong(s);
    }

    public int run() throws Exception {
        Path work = Files.createTempDirectory("imgcast-demo");
        List<Process> procs = new ArrayList<>();
        Thread cleanup = new Thread(() -> {
            procs.forEach(Process::destroyForcibly);
            try {
                lab("down", name);
            } catch (Exception ignored) {
                // best effort on the way out
            }
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            out.println("== imgcast demo: two related images, " + o.receivers() + " machines, one multicast session ==");
            Path a = work.resolve("edition-1");
            Path b = work.resolve("edition-2");
            SampleTrees.base(a, o.scale());
            SampleTrees.base(b, o.scale());
            SampleTrees.secondEdition(b, o.scale());
            Path storeDir = work.resolve("store");
            long sumImages;
            long union;
            try (Store s = Store.open(storeDir)) {
                ImageInfo ia = Capture.run(s, a, false, new Ingest.ImageMeta("edition-1", "demo base image", "", "demo", System.currentTimeMillis()), CaptureOptions.defaults());
                ImageInfo ib = Capture.run(s, b, false, new Ingest.ImageMeta("edition-2", "demo second edition", "", "demo", System.currentTimeMillis()), CaptureOptions.defaults());
                sumImages = ia.storedBytes() + ib.storedBytes();
                union = s.packBytes();
                out.printf("captured edition-1 (%s, stored %s) and edition-2 (%s, stored %s); store holds %s%n",
                        Units.bytes(ia.bytes()), Units.bytes(ia.storedBytes()), Units.bytes(ib.bytes()), Units.bytes(ib.storedBytes()), Units.bytes(union));
            }
            List<String> up = new ArrayList<>(List.of("up", name, "--receivers", String.valueOf(o.receivers())));
            if (o.lossPct() > 0) up.addAll(List.of("--loss", String.valueOf(o.lossPct())));
            if (lab(up.toArray(String[]::new)) != 0) {
                out.println("could not create the network lab (it needs root, iproute2, nftables and procps:"
                        + " run 'sudo scripts/setup-system.sh --lab', or the demo as 'sudo ./imgcast demo', which does it)"
                        + (labOutput.isEmpty() ? "" : ":\n" + labOutput.lines().skip(Math.max(0, labOutput.lines().count() - 5))
                        .map(l -> "  " + l).collect(java.util.stream.Collectors.joining("\n"))));
                return 2;
            }
            out.printf("lab %s up: server 10.77.1.1, machines 10.77.1.11-%d on a private bridge%s%n", name, 10 + o.receivers(),
                    o.lossPct() > 0 ? ", " + o.lossPct() + "% random loss at every machine" : "");
            int early = o.receivers() - 1;
            procs.add(inNs("s", self("serve", "--store", storeDir, "--state", work.resolve("state"), "--interface", "eth0", "--listen", "10.77.1.1:8470",
                    "--rate", o.rate(), "--min-machines", early, "--wait", 20, "--exit-after-idle", 2), work.resolve("server.log")));
            long tx0 = txBytes();
            long t0 = System.nanoTime();
            Map<String, Process> rx = new LinkedHashMap<>();
            Map<String, String> want = new LinkedHashMap<>();
            for (int i = 1; i <= o.receivers(); i++) {
                String h = "r" + i;
                want.put(h, i % 2 == 1 ? "edition-1" : "edition-2");
            }
            for (int i = 1; i <= o.receivers(); i++) {
                String h = "r" + i;
                if (i == o.receivers()) {
                    Thread.sleep(2500);
                    out.println(h + " joins late, asking for " + want.get(h));
                }
                Process p = inNs(h, self("receive", "--server", "https://10.77.1.1:8470/", "--image", want.get(h), "--target",
                        work.resolve("target-" + h), "--interface", "eth0", "--machine", h, "--json", "--timeout", 60), work.resolve(h + ".log"));
                procs.add(p);
                rx.put(h, p);
            }
            out.printf("%-4s %-10s %8s %10s %9s  %s%n", "", "image", "time", "received", "verified", "notes");
            boolean allOk = true;
            for (Map.Entry<String, Process> e : rx.entrySet()) {
                Process p = e.getValue();
                boolean done = p.waitFor(300, TimeUnit.SECONDS);
                if (!done) p.destroyForcibly();
                Map<String, Object> r = null;
                for (String line : Files.readAllLines(work.resolve(e.getKey() + ".log"))) if (line.startsWith("{")) r = JSON.std.mapFrom(line);
                boolean ok = r != null && Boolean.TRUE.equals(r.get("ok"));
                allOk &= ok;
                String notes = r == null ? "no result" : ok
                        ? String.format("loss %.1f%%, %s FEC decodes", ((Number) r.get("loss")).doubleValue() * 100, r.get("fec_decodes"))
                        : String.valueOf(r.get("error"));
                out.printf("%-4s %-10s %7.1fs %10s %9s  %s%n", e.getKey(), want.get(e.getKey()),
                        r == null ? 0 : ((Number) r.get("seconds")).doubleValue(),
                        r == null ? "-" : Units.bytes(((Number) r.get("received_bytes")).longValue()), ok ? "yes" : "NO", notes);
            }
            long wire = txBytes() - tx0;
            double secs = (System.nanoTime() - t0) / 1e9;
            // the late joiner: its loss counts only what it could have heard since it joined, and
            // what went out before it came is sent again once (the carousel), on its stream
            String late = "r" + o.receivers();
            Map<String, Object> lr = null;
            for (String line : Files.readAllLines(work.resolve(late + ".log"))) if (line.startsWith("{")) lr = JSON.std.mapFrom(line);
            if (lr != null && lr.get("loss") instanceof Number l && lr.get("received_bytes") instanceof Number got) {
                out.printf("%s joined late: received %s, loss %.1f%% counted since it joined%n", late, Units.bytes(got.longValue()),
                        l.doubleValue() * 100);
            }
            out.printf("session: %.1f s; bytes on the wire %s = %.2fx the deduplicated union (%s), %.2fx the sum of the two images (%s)%n",
                    secs, Units.bytes(wire), (double) wire / union, Units.bytes(union), (double) wire / sumImages, Units.bytes(sumImages));
            long perMachine = 0;
            try (Store s = Store.open(storeDir)) {
                for (String img : want.values()) perMachine += s.image(img).storedBytes();
            }
            out.printf("sending each machine its own image would take %s: %.1fx more%n", Units.bytes(perMachine), (double) perMachine / wire);
            out.println(allOk ? "all machines verified their image." : "some machines failed (logs in " + work + ")");
            return allOk ? 0 : 1;
        } finally {
            procs.forEach(Process::destroyForcibly);
            lab("down", name);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
            if (!o.keep()) deleteTree(work);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
