package io.imgcast.receiver;

import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a received image goes: a directory ({@link TreeTarget}) for a file tree, a device or file
 * ({@link VolumeTarget}) for a volume, a live volume target for an image still being read, or
 * the target a caller makes from the checked manifest (a relay receives into its store).
 */
final class TargetChoice {
    private final Path path;
    private final Function<Manifest, ChunkTarget> custom;
    private final TargetOptions options;

    /** {@code custom}: makes the target from the checked manifest; null for a directory or device/file at {@code path}. */
    TargetChoice(Path path, Function<Manifest, ChunkTarget> custom) {
        this(path, custom, TargetOptions.DEFAULT);
    }

    /** {@code options}: how a volume target is treated (fresh, selected partitions). */
    TargetChoice(Path path, Function<Manifest, ChunkTarget> custom, TargetOptions options) {
        this.path = path;
        this.custom = custom;
        this.options = options == null ? TargetOptions.DEFAULT : options;
    }

    /**
     * Whether an image still being read can be received: not into a caller's target (a relay
     * serves an image once it holds all of it).
     */
    boolean takesLive() {
        return custom == null;
    }

    ChunkTarget of(Manifest manifest) {
        if (custom != null) return custom.apply(manifest);
        if (manifest.kind() == ImageKind.TREE) {
            if (options.partitions() != null) throw new IllegalArgumentException("--partitions: the image is a file tree, not a disk");
            return new TreeTarget(manifest, path);
        }
        return new VolumeTarget(manifest, path).with(options);
    }

    /** A volume target that learns its chunks' places while the master reads its source. */
    VolumeTarget live(long volumeSize) {
        return VolumeTarget.live(path, volumeSize).with(options);
    }
}
