package io.imgcast.image;

import io.imgcast.image.PartitionTable;
import io.imgcast.store.StoreException;
import io.imgcast.testutil.Sh;
import io.imgcast.testutil.Needs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Partition tables as sfdisk reads them, and which bytes a selection of partitions sends. */
class PartitionTableTest {
    @BeforeEach
    void needSfdisk() {
        Needs.tools("sfdisk");
    }

    @Test
    void gptDiskMadeWithSfdisk(@TempDir Path dir) {
        Path disk = dir.resolve("disk.img");
        Sh.run("truncate", "-s", "64M", disk.toString()).ok();
        Sh.bash("printf 'label: gpt\\n,20M\\n,10M\\n,\\n' | sfdisk -q " + Sh.q(disk)).ok();
        PartitionTable t = PartitionTable.read(disk);
        assertEquals("gpt", t.label());
        assertEquals(512, t.sectorSize());
        assertEquals(3, t.partitions().size());
        PartitionTable.Partition p1 = t.partition(1), p2 = t.partition(2), p3 = t.partition(3);
        assertEquals(1L << 20, p1.start());
        assertEquals(20L << 20, p1.size());
        long size = 64L << 20;
        // partitions 1 and 3: everything but partition 2 (the table, its backup at the end, the gaps)
        assertArrayEquals(new long[] {0, p2.start(), p2.end(), size}, t.keepRanges(Set.of(1, 3), size));
        // partition 2 only
        assertArrayEquals(new long[] {0, p1.start(), p2.start(), p2.end(), p3.end(), size}, t.keepRanges(Set.of(2), size));
        assertTrue(t.layout().startsWith("gpt 512B 1:2048+40960"), t.layout());
        StoreException e = assertThrows(StoreException.class, () -> t.keepRanges(Set.of(4), size));
        assertTrue(e.getMessage().contains("no partition 4"), e.getMessage());
        // without the table: the selected partitions only, in disk order
        assertArrayEquals(new long[] {p1.start(), p1.end(), p3.start(), p3.end()}, t.keepRanges(Set.of(3, 1), size, false));
        assertArrayEquals(t.keepRanges(Set.of(2), size), t.keepRanges(Set.of(2), size, true));
        assertThrows(StoreException.class, () -> t.keepRanges(Set.of(4), size, false));
        // the announced layout line reads back as the same partitions
        PartitionTable back = PartitionTable.parseLayout(t.layout() + " sending 1");
        assertEquals(3, back.partitions().size());
        assertEquals(p2.start(), back.partition(2).start());
        assertEquals(p2.size(), back.partition(2).size());
        assertNull(PartitionTable.parseLayout(""));
    }

    @Test
    void mbrLogicalPartitionsKeepTheirHeaders(@TempDir Path dir) {
        Path disk = dir.resolve("mbr.img");
        Sh.run("truncate", "-s", "64M", disk.toString()).ok();
        Sh.bash("printf 'label: dos\\n,10M\\n,,E\\n,10M\\n,10M\\n' | sfdisk -q " + Sh.q(disk)).ok();
        PartitionTable t = PartitionTable.read(disk);
        assertEquals("dos", t.label());
        PartitionTable.Partition p5 = t.partition(5), p6 = t.partition(6), p1 = t.partition(1);
        long size = 64L << 20;
        long[] r = t.keepRanges(Set.of(6), size);
        // the extended container is not cut out: the headers of its logical partitions (between them) travel
        assertArrayEquals(new long[] {0, p1.start(), p1.end(), p5.start(), p5.end(), size}, r);
        assertTrue(p6.start() > p5.end(), "a logical partition's header sits before it");
    }

    @Test
    void noTableAndBadLists(@TempDir Path dir) {
        Path blank = dir.resolve("blank.img");
        Sh.run("truncate", "-s", "4M", blank.toString()).ok();
        assertNull(PartitionTable.read(blank));
        assertEquals(Set.of(1, 3), PartitionTable.parseList("3, 1"));
        assertThrows(StoreException.class, () -> PartitionTable.parseList("1,x"));
        assertThrows(StoreException.class, () -> PartitionTable.parseList("0"));
    }
}
