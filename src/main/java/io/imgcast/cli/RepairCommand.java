package io.imgcast.cli;

import io.imgcast.store.ImageName;
import io.imgcast.store.Repair;
import io.imgcast.util.Json;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "repair",
        description = "Rebuild the store's index (index.db) from its packs and signed image records; report what was found.")
final class RepairCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print the report as JSON") boolean json;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        Repair.Report r = Repair.run(store.dir());
        if (json) {
            List<Map<String, Object>> images = new ArrayList<>();
            for (Repair.Found f : r.images()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", f.name());
                m.put("kind", f.kind().label());
                m.put("files", f.files());
                m.put("bytes", f.bytes());
                m.put("chunks", f.chunks());
                m.put("missing_chunks", f.missingChunks());
                images.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", r.ok());
            out.put("images", images);
            out.put("rejected", r.rejected());
            out.put("packs", r.packs());
            out.put("pack_bytes", r.packBytes());
            out.put("chunks", r.chunks());
            out.put("damaged_records", r.damagedRecords());
            out.put("damaged_bytes", r.damagedBytes());
            out.put("orphan_chunks", r.orphanChunks());
            out.put("orphan_bytes", r.orphanBytes());
            out.put("problems", r.problems());
            out.put("notes", r.notes());
            System.out.println(Json.write(out));
            return r.ok() ? ExitCode.OK.code : ExitCode.DAMAGE.code;
        }
        System.out.printf("rebuilt the index of %s from %d packs (%s): %d chunks%n", store.dir().toAbsolutePath().normalize(),
                r.packs(), Units.bytes(r.packBytes()), r.chunks());
        System.out.printf("%d images recovered%n", r.images().size());
        for (Repair.Found f : r.images()) {
            System.out.printf("  %s (%s, %d files, %s%s)%n", ImageName.printable(f.name()), f.kind().label(), f.files(),
                    Units.bytes(f.bytes()), f.missingChunks() == 0 ? "" : ", " + f.missingChunks() + " chunks missing");
        }
        if (!r.rejected().isEmpty()) {
            System.out.printf("%d image records rejected (not added):%n", r.rejected().size());
            for (String s : r.rejected()) System.out.println("  " + s);
        }
        if (r.orphanChunks() > 0) {
            System.out.printf("%d chunks (%s) belong to no image ('imgcast gc' removes them)%n", r.orphanChunks(), Units.bytes(r.orphanBytes()));
        }
        if (r.damagedRecords() > 0 || r.damagedBytes() > 0) {
            System.out.printf("damage: %d chunk records fail their checksum, %s unreadable%n", r.damagedRecords(), Units.bytes(r.damagedBytes()));
        }
        for (String s : r.problems()) System.out.println("problem: " + s);
        for (String s : r.notes()) System.out.println("note: " + s);
        System.out.println(r.ok() ? "repair complete; no damage found" : "repair complete; damage found: run 'imgcast verify' for details");
        return r.ok() ? ExitCode.OK.code : ExitCode.DAMAGE.code;
    }
}
