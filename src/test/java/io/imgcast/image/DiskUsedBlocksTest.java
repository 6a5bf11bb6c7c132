package io.imgcast.image;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class DiskUsedBlocksTest {
    static final long M = 1 << 20;

    @Test
    void knownPartitionsKeepOnlyTheirUsedBlocksAndEverythingElseIsRead() {
        List<DiskUsedBlocks.Part> parts = List.of(
                new DiskUsedBlocks.Part(1, M, 17 * M, new long[] {M, 2 * M, 10 * M, 11 * M}, "ext4"),
                new DiskUsedBlocks.Part(2, 17 * M, 33 * M, null, "unknown"),
                new DiskUsedBlocks.Part(3, 40 * M, 50 * M, new long[] {40 * M, 41 * M}, "vfat"));
        // the table (0-1M) joins partition 1's first run; partition 2 and the gap 33-40M are read whole
        assertArrayEquals(new long[] {0, 2 * M, 10 * M, 11 * M, 17 * M, 41 * M, 50 * M, 64 * M},
                DiskUsedBlocks.combine(64 * M, parts));
    }

    @Test
    void overlappingPartitionsAreReadWhole() {
        List<DiskUsedBlocks.Part> parts = List.of(
                new DiskUsedBlocks.Part(1, M, 20 * M, new long[] {M, 2 * M}, "ext4"),
                new DiskUsedBlocks.Part(2, 10 * M, 30 * M, new long[] {10 * M, 11 * M}, "ext4"));
        assertArrayEquals(new long[] {0, 32 * M}, DiskUsedBlocks.combine(32 * M, parts));
    }

    @Test
    void aPartitionsRangesMoveToDiskOffsetsRoundedOutInsideIt() {
        long start = 63 * 512; // sector 63, as old MBR layouts have it: not page-aligned
        long end = start + 8 * M;
        // [0,4K) and [8K,12K) become [32256,36352) and [40448,44544), rounded out to pages and merged;
        // the last page rounds down to 8413184 but not up past the partition's end
        assertArrayEquals(new long[] {start, 45056, 8413184, end},
                DiskUsedBlocks.shift(new long[] {0, 4096, 8192, 12288, 8 * M - 4096, 8 * M}, start, end));
    }
}
