package io.imgcast.cli;

import io.imgcast.store.GarbageCollector;
import io.imgcast.store.Store;
import io.imgcast.util.Json;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "gc", description = "Reclaim space held by chunks no image references.")
final class GcCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print the result as one JSON object") boolean json;
    @Option(names = "--dry-run", description = "only say what would be removed; change nothing") boolean dryRun;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        try (Store s = store.open()) {
            if (dryRun) {
                GarbageCollector.Preview v = GarbageCollector.preview(s);
                if (json) {
                    System.out.println(Json.write(Map.of("dry_run", true, "chunks_removed", v.chunks(), "bytes_before", v.bytesBefore(),
                            "bytes_reclaimed", v.bytes())));
                } else {
                    System.out.printf("would remove %d unreferenced chunks, reclaiming about %s of %s; nothing changed%n", v.chunks(),
                            Units.bytes(v.bytes()), Units.bytes(v.bytesBefore()));
                }
                return 0;
            }
            GarbageCollector.Result r = GarbageCollector.run(s);
            if (json) {
                System.out.println(Json.write(Map.of("chunks_removed", r.chunksRemoved(), "bytes_before", r.bytesBefore(),
                        "bytes_after", r.bytesAfter(), "packs_removed", r.packsRemoved(), "packs_written", r.packsWritten())));
            } else {
                System.out.printf("removed %d unreferenced chunks; packs %s -> %s (reclaimed %s)%n", r.chunksRemoved(),
                        Units.bytes(r.bytesBefore()), Units.bytes(r.bytesAfter()), Units.bytes(r.bytesBefore() - r.bytesAfter()));
            }
            return 0;
        }
    }
}
