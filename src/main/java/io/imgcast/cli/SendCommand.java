package io.imgcast.cli;

import io.imgcast.cast.ServedImage;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.image.PartitionTable;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.peer.MasterKey;
import io.imgcast.peer.PeerMaster;
import io.imgcast.peer.SourceCatalog;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.ImageName;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.store.StoreException;
import io.imgcast.util.Posix;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "send",
        description = {"Broadcast a disk, partition, disk image file or directory straight to receivers (peer-to-peer, mode 3):"
                + " no server, no store, no image file. Receivers run 'imgcast receive --from-peer'.",
                "With --capture-to, also capture it into a store in the same read, while it is sent (mode 2).",
                "Exits 0 only if every receiver that joined succeeded (verified)."})
final class SendCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "block device, raw image file, or directory") Path source;
    @Option(names = "--volume", description = "send SOURCE as a volume image (its bytes), whatever it looks like") boolean volume;
    @Option(names = "--partitions", paramLabel = "LIST", description = "of a whole disk, send only these partitions (e.g. 1,3); the other partitions are left out as unused: receivers keep what they hold there") String partitions;
    @Option(names = "--with-table", description = "with --partitions: also send the partition table and the gaps between partitions") boolean withTable;
    @Option(names = "--every-block", description = "read a volume's every non-zero block, even where its file system holds nothing (default: only the used blocks of ext2/3/4, FAT, NTFS, XFS and swap)") boolean everyBlock;
    @Option(names = "--read-retries", paramLabel = "N", defaultValue = "3", description = "read each part of the source at most N times before giving up, naming the bad byte offset (default ${DEFAULT-VALUE})") int readRetries = 3;
    @Option(names = "--name", paramLabel = "NAME", description = "name the session's image (default: the source's file name)") String name;
    @Option(names = "--capture-to", paramLabel = "STORE", description = "also capture the source into this store as image --name (mode 2)") Path captureTo;
    @Option(names = "--description", defaultValue = "", paramLabel = "TEXT", description = "with --capture-to: the image's description") String description;
    @Option(names = "--flags", defaultValue = "", paramLabel = "TEXT", description = "with --capture-to: the image's free-form flags") String flags;
    @Option(names = "--cache", defaultValue = "2GiB", paramLabel = "BYTES", converter = UnitConverters.Size.class,
            description = "compressed data kept in memory, in bytes (e.g. 2GiB, 500MB); the rest is read again from the source when sent (default ${DEFAULT-VALUE})") long cache;
    @Option(names = "--read-rate", paramLabel = "BYTES/S", converter = UnitConverters.ByteRate.class,
            description = "read a disk or partition at most this fast, in bytes per second (e.g. 50MB/s: a disk in use); default: as fast as it goes") Long readRate;
    @Option(names = "--level", paramLabel = "N", description = "zstd level (default " + ChunkCodec.DEFAULT_LEVEL + ", or " + ChunkCodec.STORE_LEVEL
            + " with --capture-to, as a capture)") Integer level;
    @Option(names = "--json", description = "print the summary as one JSON object") boolean json;
@Option(names = {"-q", "--quiet"}, description = "no progress (a bar on a terminal, else a line on standard error every few seconds)") boolean quiet;
    @Option(names = "--key", paramLabel = "FILE", description = "sign the session with this master key (made by 'imgcast keygen'), so that receivers can pin it"
            + " with --master-key; default: a fresh key for this session") Path key;
    @Option(names = "--encrypt", description = "encrypt the data (AES-GCM; the key goes to each receiver when it joins)") boolean encrypt;
    @Mixin MasterOptions master;

    @Override
    public Integer call() throws Exception {
        PeerMaster.Config cfg = master.config();
        PrintStream say = json ? System.err : System.out;
        if (!Files.exists(source)) throw new CliException(ExitCode.NOT_FOUND, "source " + source + " does not exist");
        ImageKind kind = Capture.kindOf(source, volume || partitions != null);
        String imageName = name != null ? name : defaultName(source);
        long sourceBytes = kind == ImageKind.VOLUME ? Posix.deviceSize(source) : 0;
        PartitionTable table = kind == ImageKind.VOLUME ? tableOrNull(source) : null;
        long[] ranges = null;
        if (partitions != null) {
            if (table == null) throw new IllegalArgumentException("--partitions: " + source + " has no partition table that sfdisk can read");
            ranges = table.keepRanges(PartitionTable.parseList(partitions), sourceBytes, withTable);
        }
        String layout = table == null ? "" : table.layout() + (partitions == null ? "" : " sending " + partitions + (withTable ? " with table" : ""));
        Progress progress = Progress.forTerminal("read " + source.getFileName(), 0, quiet || json);
        // sending straight from the source compresses fast; capturing into a store compresses as 'capture' does
        int lvl = level != null ? level : captureTo == null ? ChunkCodec.DEFAULT_LEVEL : ChunkCodec.STORE_LEVEL;
        if (readRetries < 1) throw new IllegalArgumentException("--read-retries must be at least 1");
        CaptureOptions opts = CaptureOptions.defaults().withLevel(lvl).withProgress(progress).withReadRetries(readRetries)
                .withFsAware(!everyBlock).withNotes(n -> say.println(n));
        KeyPair kp = key != null ? MasterKey.load(key) : ImageSignature.newKeyPair();
        PeerMaster pm = master.master(cfg, kp, say);
        pm.encrypt(encrypt);
        say.printf("master key fingerprint: %s (%s)%n", pm.fingerprint(), key != null ? "from " + key : "fresh for this session");
        MasterOptions.operatorStart(pm, say);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("source", source.toString());
        extra.put("image", imageName);
        PeerMaster.Summary s;
        long[] r = ranges;
        if (captureTo == null) {
            SourceCatalog catalog = new SourceCatalog(source, imageName, cache, readRate == null ? 0 : readRate, kp);
            say.printf("session of %s (%s%s) on %s; %s%n", source, kind.name().toLowerCase(),
                    sourceBytes > 0 ? ", " + Units.bytes(sourceBytes) : "", cfg.iface(),
                    kind == ImageKind.VOLUME ? "reading it now; receivers may join and data flows while it is read"
                            : "reading the tree now; receivers may join when it is read");
            s = pm.run(catalog, imageName, kind.name(), sourceBytes, layout, () -> {
                long t0 = System.nanoTime();
                ServedImage img = catalog.read(volume || partitions != null, r, opts);
                progress.close();
                say.printf("read %s in %s: %d chunks, %s to send%n", source, Units.seconds(System.nanoTime() - t0),
                        img.chunks().size(), Units.bytes(img.storedBytes()));
                return img;
            }, MasterOptions.liveList(say));
            extra.put("sent_while_reading_bytes", pm.sentWhileReading());
            extra.put("cached_bytes", catalog.cachedBytes());
            extra.put("reread_chunks", catalog.uncachedChunks());
        } else {
            // mode 2 in one read: the chunks go to the receivers and into the store as they are cut
            ImageName.check(imageName); // before a new store is created for nothing
            try (Store store = StoreOption.openOrCreate(captureTo, say)) {
                if (store.find(imageName).isPresent()) {
                    throw new StoreException("an image named '" + imageName + "' already exists in " + store.dir()
                            + "; pick another --name or delete it first");
                }
                Ingest.ImageMeta meta = new Ingest.ImageMeta(imageName, description, flags, CaptureCommand.userInfo(), System.currentTimeMillis());
                SourceCatalog catalog = new SourceCatalog(source, imageName, cache, readRate == null ? 0 : readRate, kp);
                say.printf("session of %s (%s%s) on %s, capturing it into %s as '%s' while it is sent%n", source,
                        kind.name().toLowerCase(), sourceBytes > 0 ? ", " + Units.bytes(sourceBytes) : "", cfg.iface(), store.dir(), imageName);
                try (Ingest ingest = store.beginIngest()) {
                    catalog.alsoInto(ingest);
                    s = pm.run(catalog, imageName, kind.name(), sourceBytes, layout, () -> {
                        long t0 = System.nanoTime();
                        ServedImage img = catalog.read(volume || partitions != null, r, opts);
                        progress.close();
                        ImageInfo info = ingest.commit(meta, catalog.manifest());
                        say.printf("read %s in %s and captured it into %s as '%s': %d chunks, %s to send%n", source,
                                Units.seconds(System.nanoTime() - t0), store.dir(), info.name(), img.chunks().size(),
                                Units.bytes(img.storedBytes()));
                        return img;
                    }, MasterOptions.liveList(say));
                }
                extra.put("store", store.dir().toString());
                extra.put("sent_while_reading_bytes", pm.sentWhileReading());
                extra.put("reread_chunks", catalog.uncachedChunks());
            }
        }
        return MasterOptions.report(s, json, System.out, extra);
    }

    /** The byte ranges of {@code source} to read for a --partitions list (and the table with {@code withTable}). */
    static long[] partitionRanges(Path source, String partitions, boolean withTable) throws IOException {
        PartitionTable table = tableOrNull(source);
        if (table == null) throw new IllegalArgumentException("--partitions: " + source + " has no partition table that sfdisk can read");
        return table.keepRanges(PartitionTable.parseList(partitions), Posix.deviceSize(source), withTable);
    }

    private static PartitionTable tableOrNull(Path source) {
        try {
            return PartitionTable.read(source);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String defaultName(Path source) {
        Path f = source.toAbsolutePath().normalize().getFileName();
        return f == null ? "root" : f.toString();
    }
}
