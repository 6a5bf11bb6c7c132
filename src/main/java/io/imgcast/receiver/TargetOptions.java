package io.imgcast.receiver;

import java.util.Set;

/**
 * How a receiver treats a volume target: {@code fresh} says it is blank or to be overwritten
 * (no delta scan, nothing looked for in place); {@code partitions}, when not null, limits the
 * writes to those partitions of the target's own partition table (image partition N lands on
 * the target's partition N, at that partition's own start when {@code imageLayout}, the image's
 * partition layout as a master announces it ({@code PartitionTable.layout()}), is known, else at
 * the same offset): every other byte of the target stays.
 */
public record TargetOptions(boolean fresh, Set<Integer> partitions, String imageLayout) {
    public static final TargetOptions DEFAULT = new TargetOptions(false, null, null);

    public TargetOptions {
        partitions = partitions == null ? null : Set.copyOf(partitions);
    }

    public TargetOptions(boolean fresh, Set<Integer> partitions) {
        this(fresh, partitions, null);
    }

    public TargetOptions withImageLayout(String layout) {
        return new TargetOptions(fresh, partitions, layout == null || layout.isEmpty() ? null : layout);
    }
}
