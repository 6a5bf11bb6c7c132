package io.imgcast.image;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;
import io.imgcast.store.ChunkLocation;
import io.imgcast.store.ChunkReader;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.Store;
import io.imgcast.store.StoreException;
import io.imgcast.util.Progress;
import io.imgcast.util.Timing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Mode 4 (local): apply an image from the store to a directory or a device/file. */
public final class Apply {
    private Apply() {}

    /** Result of an apply: bytes written and warnings (e.g. metadata a non-root user cannot set). */
    public record Result(long bytes, long warnings, List<String> warningSamples) {}

    public static Result run(Store store, String name, Path target, int threads, Progress progress) {
        return run(store, name, target, threads, progress, false);
    }

    /**
     * Applies image {@code name} to {@code target}. A volume target is guarded ({@link TargetGuard}:
     * not mounted, busy, locked or larger than the image) unless {@code force}. A file-tree target
     * that an interrupted apply of the same image left incomplete is resumed; with {@code force} it
     * is emptied and written from the start ({@link TreeWriter#prepare}).
     */
    public static Result run(Store store, String name, Path target, int threads, Progress progress, boolean force) {
        return run(store, name, target, threads, progress, force, false);
    }

    /**
     * {@code fresh}: the volume target is blank or to be overwritten: a file is written in place
     * (keeping its size if larger), zero holes are punched or zeroed by the device, unused spans
     * are not touched.
     */
    public static Result run(Store store, String name, Path target, int threads, Progress progress, boolean force, boolean fresh) {
        try (var lock = store.lockReader()) {
            Timing.mark("lock");
            ImageInfo image = store.image(name);
            Timing.mark("image-row");
            Manifest m = store.manifest(image);
            Timing.mark("manifest-load+verify");
            Map<ChunkId, ChunkLocation> locs = store.locations(m.distinctChunks().keySet());
            for (ChunkId id : m.distinctChunks().keySet()) {
                if (!locs.containsKey(id)) {
                    throw new CorruptDataException("chunk " + id.shortHex() + " of image '" + name
                            + "' is missing from the store index; run 'imgcast verify " + name + "'");
                }
            }
            Timing.mark("locations");
            ChunkSource src = storeSource(store, locs);
            progress.total(m.dataBytes());
            if (m.kind() == ImageKind.TREE) {
                String sha = HexFormat.of().formatHex(store.storedManifest(image).sha256());
                TreeWriter.Start start = TreeWriter.prepare(target, m.totalBytes(), image.name(), sha, force);
                Timing.mark("check-target");
                TreeWriter w = new TreeWriter(m, target, src, threads, progress).startAs(start, image.name(), sha);
                try {
                    w.write();
                } finally {
                    w.closeReaders();
                }
                Timing.mark("close-readers");
                return new Result(progress.done(), w.warnings(), w.warningSamples());
            }
            try (TargetGuard guard = force ? TargetGuard.NONE : TargetGuard.acquire(target, fresh ? Long.MAX_VALUE : m.volumeSize())) {
                VolumeWriter.checkTarget(target, m.volumeSize(), m.dataBytes());
                new VolumeWriter(m, target, src, threads, progress, fresh).write();
            }
            return new Result(progress.done(), 0, List.of());
        }
    }

    /** Chunks read from the store's packs, each checked against its id. */
    public static ChunkSource storeSource(Store store, Map<ChunkId, ChunkLocation> locs) {
        return () -> new ChunkSource.Reader() {
            private final ChunkReader r = store.reader();

            @Override
            public int read(ChunkId id, byte[] dst) throws IOException {
                ChunkLocation loc = locs.get(id);
                if (loc == null) throw new CorruptDataException("chunk " + id.shortHex() + " is not in the store");
                try {
                    return r.read(id, loc, dst);
                } catch (CorruptDataException e) {
                    throw new CorruptDataException("store data damaged: " + e.getMessage() + "; run 'imgcast verify'");
                } catch (IOException e) {
                    // a missing or truncated pack is the store's fault, not the target's
                    throw new StoreException("store data damaged or unreadable: chunk " + id.shortHex() + ": "
                            + TreeCapture.describe(e) + "; run 'imgcast verify'", e);
                }
            }

            @Override
            public void close() {
                r.close();
            }
        };
    }
}
