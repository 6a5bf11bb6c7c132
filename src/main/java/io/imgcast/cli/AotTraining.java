package io.imgcast.cli;

import io.imgcast.util.Posix;
import io.imgcast.util.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Training run for the JVM's ahead-of-time cache ({@code -XX:AOTCacheOutput}, JDK 25): runs the
 * common commands once, in one JVM, on a small tree in a temporary directory, so that the cache
 * holds their classes already loaded and linked (and early profiles). The launcher runs this after
 * each build; the cache then cuts every later start-up.
 *
 * <pre>  java -XX:AOTCacheOutput=imgcast.aot -cp ... io.imgcast.cli.AotTraining SOURCE_TREE</pre>
 */
final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException {
        Path src = Path.of(args.length > 0 ? args[0] : ".");
        Path tmp = Files.createTempDirectory("imgcast-aot-");
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        int failed = 0;
        try {
            String store = tmp.resolve("store").toString();
            String[][] runs = {
                    {"capture", src.toString(), "--name", "t1", "--store", store, "-q"},
                    {"capture", src.toString(), "--name", "t2", "--store", store, "-q", "--json"},
                    {"list", "--store", store},
                    {"info", "t1", "--store", store},
                    {"apply", "t1", tmp.resolve("out").toString(), "--store", store, "-q"},
                    {"verify", "--store", store},
                    {"delete", "t2", "--store", store},
                    {"gc", "--store", store},
                    {"--help"},
            };
            // what the start-up warm-up and the FFM paths load (device nodes, FIFOs, xattrs)
            Warmup.start("apply");
            Warmup.start("capture");
            Posix.warmUp(true);
            Posix.warmUp(false);
            Path fifo = tmp.resolve("fifo");
            Posix.mknod(fifo, 0010644, 0);
            Posix.setTimes(fifo, 1_000_000_000L, 2_000_000_000L);
            Posix.listXattrs(fifo);
            Files.delete(fifo);
            for (String[] r : runs) {
                if (Main.run(r) != 0) failed++;
            }
        } finally {
            System.setOut(out);
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (failed > 0) {
            System.err.println("imgcast: " + failed + " training commands failed");
            System.exit(1);
        }
    }
}
