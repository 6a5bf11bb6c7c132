package io.imgcast.image;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UsedBlocksTest {
    @Test
    void domainMapBecomesAlignedMergedUsedRanges() throws IOException {
        String map = """
                # Domain logfile created by partclone
                # current_pos  current_status
                0x06000000     ?
                #      pos        size  status
                0x00000000  0x0098B000  +
                0x0098B000  0x00E75400  ?
                0x01800400  0x00040800  +
                0x01840C00  0x007BF800  ?
                0x02000400  0x00000200  +
                0x02000600  0x03FFFA00  ?
                """;
        long[] r = UsedBlocks.parseDomainMap(map, 0x06000000L);
        // 0x01800400 rounds down to 0x01800000, 0x01840C00 up to 0x01841000; the last one to a page
        assertArrayEquals(new long[] {0, 0x0098B000L, 0x01800000L, 0x01841000L, 0x02000000L, 0x02001000L}, r);
    }

    @Test
    void bytesPastTheMapCountAsUsed() throws IOException {
        long[] r = UsedBlocks.parseDomainMap("0x1000 ?\n0x0 0x1000 +\n0x1000 0x3000 ?\n", 0x10000);
        assertArrayEquals(new long[] {0, 0x1000, 0x4000, 0x10000}, r);
    }

    @Test
    void aBrokenMapIsAnError() {
        assertThrows(IOException.class, () -> UsedBlocks.parseDomainMap("# nothing\n", 4096));
        assertThrows(IOException.class, () -> UsedBlocks.parseDomainMap("0x0 ?\n0x1000 0x10 +\n0x0 0x10 +\n", 1 << 20));
        assertThrows(IOException.class, () -> UsedBlocks.parseDomainMap("0x0 ?\n0x1000\n", 1 << 20));
    }

    @Test
    void intersectKeepsWhatBothSelect() {
        assertArrayEquals(new long[] {5, 10, 20, 25, 30, 35}, UsedBlocks.intersect(new long[] {0, 10, 20, 40}, new long[] {5, 25, 30, 35}));
        assertArrayEquals(new long[] {1, 2}, UsedBlocks.intersect(null, new long[] {1, 2}));
        assertEquals(0, UsedBlocks.intersect(new long[] {0, 10}, new long[] {10, 20}).length);
    }

    @Test
    void unusedIsTheComplementOfWhatWasRead() {
        var u = VolumeCapture.unused(new long[] {4096, 8192, 12288, 16384}, 20000);
        assertEquals(List.of(new io.imgcast.manifest.Span(0, 4096), new io.imgcast.manifest.Span(8192, 4096),
                new io.imgcast.manifest.Span(16384, 20000 - 16384)), u);
        assertEquals(List.of(), VolumeCapture.unused(null, 20000));
    }
}
