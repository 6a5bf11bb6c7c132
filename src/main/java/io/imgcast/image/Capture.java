package io.imgcast.image;

import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;
import io.imgcast.store.ChunkSink;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.ImageName;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.store.StoreException;
import io.imgcast.util.Timing;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Mode 1: capture a directory (file-tree image) or a device/raw file (volume image) into a store. */
public final class Capture {
    private Capture() {}

    /** Which kind of image {@code source} makes, or a clear error if it cannot be captured. */
    public static ImageKind kindOf(Path source, boolean forceVolume) {
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) throw new StoreException("source " + source + " does not exist");
        if (forceVolume) return ImageKind.VOLUME;
        if (Files.isDirectory(source)) return ImageKind.TREE;
        if (Files.isRegularFile(source) || isBlockDevice(source)) return ImageKind.VOLUME;
        throw new StoreException("source " + source + " is neither a directory, a block device nor a regular file");
    }

    static boolean isBlockDevice(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            return (mode & 0170000) == 0060000;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Optional head start: begins walking {@code source} (if it is a directory to be captured as
     * a tree) on a background thread, so that the walk overlaps with opening the store. The
     * following {@link #run} of the same source picks it up.
     */
    public static void prepare(Path source, boolean forceVolume) {
        if (!forceVolume && Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) TreeCapture.startWalk(source);
    }

    /**
     * Reads {@code source} once into {@code sink} (no store: a peer-to-peer master keeps the
     * chunks itself) and returns its manifest. {@code ranges} limits a volume to those byte
     * ranges (selected partitions plus the partition table); null reads all of it.
     */
    public static Manifest scan(Path source, boolean forceVolume, ChunkSink sink, CaptureOptions options, long[] ranges) {
        ImageKind kind = kindOf(source, forceVolume);
        if (kind == ImageKind.TREE && ranges != null) throw new StoreException("partitions can only be selected on a disk, not on a directory");
        return kind == ImageKind.TREE ? TreeCapture.capture(source, sink, options) : VolumeCapture.capture(source, sink, options, ranges);
    }

    public static ImageInfo run(Store store, Path source, boolean forceVolume, Ingest.ImageMeta meta, CaptureOptions options) {
        return run(store, source, forceVolume, meta, options, null);
    }

    /** As {@link #run(Store, Path, boolean, Ingest.ImageMeta, CaptureOptions)}, a volume limited to {@code ranges}. */
    public static ImageInfo run(Store store, Path source, boolean forceVolume, Ingest.ImageMeta meta, CaptureOptions options,
                                long[] ranges) {
        ImageName.check(meta.name());
        if (store.find(meta.name()).isPresent()) {
            throw new StoreException("an image named '" + meta.name() + "' already exists in " + store.dir()
                    + "; pick another --name or delete it first");
        }
        ImageKind kind = kindOf(source, forceVolume);
        Timing.mark("find+kind");
        try (Ingest ingest = store.beginIngest()) {
            Timing.mark("begin-ingest");
            Manifest m = kind == ImageKind.TREE ? TreeCapture.capture(source, ingest, options)
                    : VolumeCapture.capture(source, ingest, options, ranges);
            Timing.mark("capture-contents");
            ImageInfo r = ingest.commit(meta, m);
            Timing.mark("commit");
            return r;
        }
    }
}
