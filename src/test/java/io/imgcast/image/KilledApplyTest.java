package io.imgcast.image;

import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.Manifest;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.Store;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An apply killed mid-way (SIGKILL, at a known point: its chunk source stops after a given number
 * of chunks and says so) leaves a marked, incomplete target with its unfinished file under a
 * temporary name; applying the same image again resumes and the tree is exact; {@code --force}
 * starts over; another image is refused.
 */
class KilledApplyTest {
    static final int MiB = 1 << 20;
    @TempDir Path tmp;

    /** Applies {@code args[1]} from store {@code args[0]} to {@code args[2]} with one writer; halts (prints STOPPED, waits) at chunk {@code args[3]}. */
    public static final class StoppingApply {
        public static void main(String[] args) throws Exception {
            int stopAt = Integer.parseInt(args[3]);
            try (Store s = Store.open(Path.of(args[0]), false)) {
                ImageInfo image = s.image(args[1]);
                Manifest m = s.manifest(image);
                ChunkSource real = Apply.storeSource(s, s.locations(m.distinctChunks().keySet()));
                int[] count = {0};
                ChunkSource stopping = () -> {
                    ChunkSource.Reader r = real.open();
                    return new ChunkSource.Reader() {
                        @Override
                        public int read(ChunkId id, byte[] dst) throws java.io.IOException {
                            if (++count[0] == stopAt) {
                                System.out.println("STOPPED");
                                System.out.flush();
                                try {
                                    Thread.sleep(Long.MAX_VALUE);
                                } catch (InterruptedException e) {
                                    throw new java.io.IOException(e);
                                }
                            }
                            return r.read(id, dst);
                        }

                        @Override
                        public void close() {
                            r.close();
                        }
                    };
                };
                String sha = HexFormat.of().formatHex(s.storedManifest(image).sha256());
                Path target = Path.of(args[2]);
                TreeWriter.Start start = TreeWriter.prepare(target, m.totalBytes(), image.name(), sha, false);
                new TreeWriter(m, target, stopping, 1, Progress.NONE).startAs(start, image.name(), sha).write();
            }
        }
    }

    void killAt(Path store, String image, Path target, int chunk) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", Cli.classPath(), StoppingApply.class.getName(),
                store.toString(), image, target.toString(), String.valueOf(chunk)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.equals("STOPPED")) seen.append(line).append('\n');
            assertEquals("STOPPED", line, "the apply reached the stop point: " + seen);
            p.destroyForcibly(); // SIGKILL while it holds the chunk source
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
    }

    static List<Path> partials(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith(TreeWriter.PARTIAL)).toList();
        }
    }

    @Test
    void killedApplyResumesForceStartsOverOthersAreRefused() throws Exception {
        Path src = tmp.resolve("src");
        TreeGen.plain(src, 5, 6 * MiB);
        Path other = tmp.resolve("other");
        TreeGen.plain(other, 6, MiB);
        Path store = tmp.resolve("store");
        Cli.run("capture", src, "--name", "a", "--store", store, "-q").ok();
        Cli.run("capture", other, "--name", "o", "--store", store, "-q").ok();
        Path target = tmp.resolve("target");
        io.imgcast.manifest.Entry first;
        try (Store s = Store.open(store, false)) {
            first = s.manifest(s.image("a")).entries().stream().filter(e -> e.type() == io.imgcast.manifest.EntryType.FILE
                    && e.size() > 0).findFirst().orElseThrow();
        }
        assertTrue(first.chunks().size() >= 2, "the first file written has several chunks: " + first.path());

        // one writer, files in manifest order: stop in the first file's second chunk
        killAt(store, "a", target, 2);
        assertTrue(Files.exists(target.resolve(TreeWriter.MARKER)), "the incomplete target is marked");
        assertFalse(Files.exists(target.resolve(first.path())), "an unfinished file never has its final name");
        assertEquals(1, partials(target).size(), "the unfinished file is under a temporary name");

        Cli.Result refused = Cli.run("apply", "o", target, "--store", store, "-q");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("incomplete apply") && refused.err().contains("--force"), refused.err());

        Cli.run("apply", "a", target, "--store", store, "-q").ok();
        TreeDiff.assertSame(src, target);
        assertFalse(Files.exists(target.resolve(TreeWriter.MARKER)));
        assertTrue(partials(target).isEmpty());

        // killed later (some files complete), resumed: complete files are kept, the tree is exact
        Path second = tmp.resolve("second");
        killAt(store, "a", second, first.chunks().size() + 3);
        assertTrue(Files.exists(second.resolve(first.path())), "files finished before the kill keep their final names");
        assertEquals(first.size(), Files.size(second.resolve(first.path())));
        Cli.run("apply", "a", second, "--store", store, "-q").ok();
        TreeDiff.assertSame(src, second);

        // --force empties an incomplete target and starts over, even for another image
        Path third = tmp.resolve("third");
        killAt(store, "a", third, 3);
        Cli.run("apply", "o", third, "--store", store, "-q", "--force").ok();
        TreeDiff.assertSame(other, third);

        // a non-empty directory that no apply marked is still refused
        Cli.Result plain = Cli.run("apply", "a", src, "--store", store, "-q");
        assertEquals(1, plain.code());
        assertTrue(plain.err().contains("not empty"), plain.err());
    }
}
