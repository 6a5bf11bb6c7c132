package io.imgcast.cli;

import io.imgcast.codec.ChunkCodec;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.ImageName;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.util.Json;
import io.imgcast.util.Progress;
import io.imgcast.util.Timing;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "capture", description = {"Capture a directory (file-tree image) or a block device / raw image file (volume image) into the store.",
        "A store directory that does not exist yet (or is empty) becomes a new store; capture says so on standard error."})
final class CaptureCommand implements Callable<Integer>, FastCli.Bindable {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "a directory (file-tree image), or a block device or raw image file (volume image)") Path source;
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "name of the new image") String name;
    @Option(names = "--description", defaultValue = "", paramLabel = "TEXT", description = "free-form description shown by info and list --json") String description;
    @Option(names = "--flags", defaultValue = "", paramLabel = "TEXT", description = "free-form flags, e.g. an edition tag") String flags;
    @Option(names = "--user-info", paramLabel = "TEXT", description = "free-form user data (default: who captured, on which host)") String userInfo;
    @Option(names = "--volume", description = "capture SOURCE as a volume even if it is a directory's device") boolean volume;
    @Option(names = "--level", paramLabel = "N", defaultValue = "" + io.imgcast.codec.ChunkCodec.STORE_LEVEL, description = "zstd level 1-19 (default ${DEFAULT-VALUE})") int level;
    @Option(names = "--partitions", paramLabel = "LIST", description = "of a whole disk, capture only these partitions (e.g. 1,3); the rest of the disk is left out as unused") String partitions;
    @Option(names = "--with-table", description = "with --partitions: also capture the partition table and the gaps between partitions") boolean withTable;
    @Option(names = "--every-block", description = "read a volume's every non-zero block, even where its file system holds nothing (default: only the used blocks of ext2/3/4, FAT, NTFS, XFS and swap)") boolean everyBlock;
    @Option(names = "--read-retries", paramLabel = "N", defaultValue = "3", description = "read each part of the source at most N times before giving up, naming the bad byte offset (default ${DEFAULT-VALUE})") int readRetries = 3;
    @Option(names = "--json", description = "print the result as one JSON object on standard output (and no progress)") boolean json;
    @Option(names = {"-q", "--quiet"}, description = "no progress (a bar on a terminal, else a line on standard error every few seconds)") boolean quiet;
    @Option(names = "--paranoid", description = "read and check every chunk the capture would reuse from the store, storing a good"
            + " copy of any that fails (chunks already found damaged are always checked)") boolean paranoid;
    @Mixin StoreOption store;

    // Keep in step with the annotations above (FastCliTest compares both paths).
    private static final java.util.Set<String> NAME = java.util.Set.of("--name"), DESCRIPTION = java.util.Set.of("--description"),
            FLAGS = java.util.Set.of("--flags"), USER_INFO = java.util.Set.of("--user-info"), VOLUME = java.util.Set.of("--volume"),
            LEVEL = java.util.Set.of("--level"), JSON = java.util.Set.of("--json"), QUIET = java.util.Set.of("-q", "--quiet"),
            PARANOID = java.util.Set.of("--paranoid"), STORE = java.util.Set.of("--store");

    @Override
    public boolean bindFast(String[] args) {
        FastCli a = FastCli.scan(args, List.of(VOLUME, JSON, QUIET, PARANOID),
                List.of(NAME, DESCRIPTION, FLAGS, USER_INFO, LEVEL, STORE));
        if (a == null || a.positional().size() != 1 || a.value(NAME) == null) return false;
        Integer l = FastCli.parseInt(a.value(LEVEL), ChunkCodec.STORE_LEVEL);
        if (l == null) return false;
        source = Path.of(a.positional().get(0));
        name = a.value(NAME);
        description = a.value(DESCRIPTION) != null ? a.value(DESCRIPTION) : "";
        flags = a.value(FLAGS) != null ? a.value(FLAGS) : "";
        userInfo = a.value(USER_INFO);
        volume = a.flag(VOLUME);
        level = l;
        json = a.flag(JSON);
        quiet = a.flag(QUIET);
        paranoid = a.flag(PARANOID);
        store = new StoreOption();
        if (a.value(STORE) != null) store.store = Path.of(a.value(STORE));
        return true;
    }

    /** Default user info of a capture: who captured, on which host. */
    static String userInfo() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        return System.getProperty("user.name") + "@" + host;
    }

    @Override
    public Integer call() throws Exception {
        Timing.mark("picocli");
        ImageName.check(name); // before a new store is created for nothing
        Capture.prepare(source, volume);
        String who = userInfo != null ? userInfo : userInfo();
        long t0 = System.nanoTime();
        try (Store s = store.openOrCreate(System.err);
             Progress p = Progress.forTerminal("capture " + name, 0, quiet || json)) {
            Timing.mark("store-open");
            s.paranoid(paranoid);
            long before = s.packBytes();
            long[] ranges = partitions == null ? null : SendCommand.partitionRanges(source, partitions, withTable);
            if (readRetries < 1) throw new IllegalArgumentException("--read-retries must be at least 1");
            List<String> notes = new ArrayList<>();
            ImageInfo info = Capture.run(s, source, volume || partitions != null,
                    new Ingest.ImageMeta(name, description, flags, who, System.currentTimeMillis()),
                    CaptureOptions.defaults().withLevel(level).withProgress(p).withReadRetries(readRetries).withFsAware(!everyBlock)
                            .withNotes(notes::add), ranges);
            Timing.mark("capture-run");
            long added = s.packBytes() - before;
            long took = System.nanoTime() - t0;
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>(InfoCommand.toMap(s, info));
                m.put("added_bytes", added);
                m.put("seconds", took / 1e9);
                if (!notes.isEmpty()) m.put("read", String.join("; ", notes));
                System.out.println(Json.write(m));
            } else {
                p.close();
                for (String n : notes) System.out.println(n);
                System.out.printf("captured %s (%s image): %d files, %d dirs, %s in %s; store grew by %s%n",
                        info.name(), info.kind().label(), info.files(), info.dirs(), Units.bytes(info.bytes()),
                        Units.seconds(took), Units.bytes(added));
            }
            return 0;
        }
    }
}
