package io.imgcast.cli;

import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.StoreState;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI as a new user meets it: ordinary mistakes, dry runs, standard streams, progress without a terminal. */
class CliBehaviourTest {
    static final int MiB = 1 << 20;
    @TempDir Path tmp;

    /** No stack trace, no "internal error": one line that says what to do. */
    static void oneLine(Cli.Result r) {
        assertFalse(r.err().contains("internal error") || r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void ordinaryMistakesAreOneLineWithTheRightExitCode() {
        Path store = tmp.resolve("store");
        Cli.Result r = Cli.run("serve", "--interface", "eth9", "--store", store);
        assertEquals(2, r.code(), r.err());
        oneLine(r);
        assertTrue(r.err().contains("no network interface named 'eth9'") && r.err().contains("ip -br link"), r.err());

        r = Cli.run("status", "--server", "http://127.0.0.1:1/");
        assertEquals(1, r.code(), r.err());
        oneLine(r);
        assertTrue(r.err().contains("no imgcast server answers at http://127.0.0.1:1/") && r.err().contains("--server"), r.err());

        // receive checks its interface before it contacts the server (no failed row left there)
        r = Cli.run("receive", "--server", "http://127.0.0.1:1/", "--image", "x", "--target", tmp.resolve("t"), "--interface", "eth9");
        assertEquals(2, r.code(), r.err());
        oneLine(r);
        assertTrue(r.err().contains("eth9") && !r.err().contains("127.0.0.1"), r.err());

        r = Cli.run("serve", "--interface", "lo", "--rate", "950m", "--store", store);
        assertEquals(2, r.code(), "an ambiguous unit is a usage error");
        assertTrue(r.err().contains("950 Mbit/s") && r.err().contains("950 MB/s"), r.err());
        r = Cli.run("send", "/nonexistent", "--interface", "lo", "--cache", "2g");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("2 GiB") && r.err().contains("2 GB"), r.err());

        r = Cli.run("list", "--store", store);
        assertEquals(4, r.code(), "no such store");
        oneLine(r);
        r = Cli.run("export", "nope", tmp.resolve("x"), "--store", store);
        assertEquals(4, r.code());
        r = Cli.run("import", tmp.resolve("no-such-file"), "--store", store);
        assertEquals(4, r.code());
        oneLine(r);
    }

    @Test
    void captureSaysWhenItCreatesAStoreAndDryRunsChangeNothing() throws Exception {
        Path store = tmp.resolve("new-store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 2, 300_000);
        Cli.Result r = Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        assertTrue(r.err().contains("created a new, empty store at " + store.toAbsolutePath()), r.err());
        r = Cli.run("capture", a, "--name", "a2", "--store", store, "-q").ok();
        assertFalse(r.err().contains("created"), "only the first time: " + r.err());

        Cli.run("delete", "a2", "--store", store).ok(); // a2 shares all chunks with a: nothing for gc
        Path b = tmp.resolve("b");
        TreeGen.plain(b, 7, 400_000);
        Cli.run("capture", b, "--name", "b", "--store", store, "-q").ok();
        StoreState before = StoreState.of(store);
        r = Cli.run("delete", "b", "--dry-run", "--store", store).ok();
        assertTrue(r.out().contains("would delete b") && r.out().contains("nothing changed"), r.out());
        assertEquals(before, StoreState.of(store), "delete --dry-run changes nothing");
        assertEquals(4, Cli.run("delete", "nope", "--dry-run", "--store", store).code());

        Cli.run("delete", "b", "--store", store).ok();
        StoreState deleted = StoreState.of(store);
        Map<?, ?> dry = (Map<?, ?>) Cli.run("gc", "--dry-run", "--json", "--store", store).ok().json();
        assertEquals(true, dry.get("dry_run"));
        long wouldGo = (Long) dry.get("chunks_removed");
        assertTrue(wouldGo > 0, dry.toString());
        assertEquals(deleted, StoreState.of(store), "gc --dry-run changes nothing");
        Map<?, ?> real = (Map<?, ?>) Cli.run("gc", "--json", "--store", store).ok().json();
        assertEquals(wouldGo, real.get("chunks_removed"), "the dry run predicted the real one");
    }

    /** Runs the CLI as a process with separate standard streams. */
    static Process process(Path stdin, Path stdout, Path stderr, Map<String, String> env, List<String> jvm, Object... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", Cli.classPath(), "io.imgcast.cli.Main"));
        for (Object a : args) cmd.add(String.valueOf(a));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        if (stdin != null) pb.redirectInput(stdin.toFile());
        pb.environment().remove("IMGCAST_NO_PROGRESS");
        pb.environment().putAll(env);
        return pb.start();
    }

    static int finish(Process p) throws InterruptedException {
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("imgcast did not finish in 120 s");
        }
        return p.exitValue();
    }

    @Test
    void exportToStandardOutputAndImportFromStandardInput() throws Exception {
        Path s1 = tmp.resolve("s1");
        Path s2 = tmp.resolve("s2");
        Path tree = tmp.resolve("tree");
        TreeGen.full(tree, 3, 2 * MiB);
        Cli.run("capture", tree, "--name", "tree", "--store", s1, "-q").ok();
        Path viaFile = tmp.resolve("tree.icx");
        Cli.run("export", "tree", viaFile, "--store", s1, "-q").ok();

        Path out = tmp.resolve("stdout.bin");
        Path err = tmp.resolve("stderr.txt");
        int rc = finish(process(null, out, err, Map.of(), List.of(), "export", "tree", "-", "--store", s1));
        assertEquals(0, rc, Files.readString(err));
        assertFalse(Files.exists(tmp.resolve("-")), "no file named '-'");
        assertEquals(-1, Files.mismatch(viaFile, out), "standard output carries exactly the export file");
        assertTrue(Files.readString(err).contains("exported tree to standard output"), Files.readString(err));

        Path err2 = tmp.resolve("stderr2.txt");
        rc = finish(process(out, tmp.resolve("stdout2.txt"), err2, Map.of(), List.of(), "import", "-", "--name", "copy", "--store", s2, "-q"));
        assertEquals(0, rc, Files.readString(err2));
        assertEquals(0, Cli.run("verify", "--store", s2, "-q").code());
        Cli.run("apply", "copy", tmp.resolve("applied"), "--store", s2, "-q").ok();
        TreeDiff.assertSame(tree, tmp.resolve("applied"));

        // a cut stream is refused and leaves no image
        Path cut = tmp.resolve("cut.bin");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(out), (int) Files.size(out) - 10));
        Path err3 = tmp.resolve("stderr3.txt");
        rc = finish(process(cut, tmp.resolve("stdout3.txt"), err3, Map.of(), List.of(), "import", "-", "--name", "cut", "--store", s2, "-q"));
        assertEquals(3, rc, Files.readString(err3));
        assertEquals(4, Cli.run("info", "cut", "--store", s2).code());
    }

    @Test
    void withoutATerminalProgressIsALineEveryFewSeconds() throws Exception {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 3, 2 * MiB);
        Cli.run("capture", a, "--name", "first", "--store", store, "-q").ok();
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p;
        // hold the store's writer lock: the capture waits there, mid-way, for as long as the test needs
        try (Store s = Store.open(store); Ingest held = s.beginIngest()) {
            p = process(null, out, err, Map.of("IMGCAST_PROGRESS_SECONDS", "0.1"), List.of("-Dimgcast.lockWaitSeconds=120"),
                    "capture", a, "--name", "second", "--store", store);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.readString(err).lines().filter(l -> l.startsWith("capture second: ")).count() < 2) {
                assertTrue(p.isAlive(), "capture ended while the lock was held: " + Files.readString(err));
                assertTrue(System.nanoTime() < deadline, "no progress lines within 60 s: " + Files.readString(err));
                Thread.sleep(50);
            }
        }
        assertEquals(0, finish(p), Files.readString(err));
        String e = Files.readString(err);
        assertTrue(e.lines().filter(l -> l.startsWith("capture second: ")).allMatch(l -> l.matches("capture second: .*/s, \\d+ s")), e);
        assertTrue(Files.readString(out).contains("captured second"), "the summary is on standard output, whole");
        assertFalse(Files.readString(out).contains("\r") || e.contains("\r"), "no terminal control without a terminal");
    }

    @Test
    void aServerKeyThatIsNotThePinnedOneExits6() throws Exception {
        Path store = tmp.resolve("store");
        Path a = tmp.resolve("a");
        TreeGen.plain(a, 4, 200_000);
        Cli.run("capture", a, "--name", "a", "--store", store, "-q").ok();
        Path log = tmp.resolve("serve.log");
        // on loopback only: the receiver fails at the descriptive data, before any stream matters
        Process server = Cli.start(log, "serve", "--interface", "lo", "--listen", "127.0.0.1:0", "--store", store, "--state", tmp.resolve("state"));
        try {
            java.util.regex.Pattern url = java.util.regex.Pattern.compile("control (https://127\\.0\\.0\\.1:\\d+/)");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            java.util.regex.Matcher m = url.matcher("");
            while (!m.find()) {
                assertTrue(server.isAlive(), "server ended: " + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "server did not start in 60 s: " + Files.readString(log));
                Thread.sleep(50);
                m = url.matcher(Files.readString(log));
            }
            Cli.Result r = Cli.run("receive", "--server", m.group(1), "--image", "a", "--target", tmp.resolve("out"),
                    "--interface", "lo", "--server-key", "0000000000000000", "--timeout", 10, "-q");
            assertEquals(6, r.code(), r.err());
            assertTrue(r.err().contains("not the pinned one"), r.err());
            assertFalse(Files.exists(tmp.resolve("out")) && Files.list(tmp.resolve("out")).findAny().isPresent(), "nothing written");
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void serveCountsFailedLostAndRefusedMachines() {
        Status st = status(machine("r1", MachineState.DONE), machine("r2", MachineState.FAILED),
                machine("r3", MachineState.LOST), machine("r4", MachineState.REFUSED), machine("r5", MachineState.RECEIVING));
        assertEquals(List.of("r2 (failed)", "r3 (lost)", "r4 (refused)"), ServeCommand.failedMachines(st));
        assertEquals(List.of(), ServeCommand.failedMachines(status(machine("r1", MachineState.DONE))));
    }

    private static Status status(Status.Machine... machines) {
        return new Status(1, true, List.of(), 0, List.of(machines));
    }

    private static Status.Machine machine(String name, MachineState state) {
        return new Status.Machine(1, name, "img", 0, 0, state, 0, 0, 0, 0, 0, 0, 0, 0, null);
    }
}
