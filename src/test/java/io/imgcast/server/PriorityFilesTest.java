package io.imgcast.server;

import io.imgcast.cast.ServedImage;
import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PriorityFilesTest {
    static ChunkId id(int n) {
        byte[] b = {(byte) n};
        return ChunkId.hash(b, 0, 1);
    }

    static Entry file(String path, int... chunks) {
        ChunkList.Builder b = new ChunkList.Builder();
        for (int c : chunks) b.add(id(c), 100);
        ChunkList l = b.build();
        return new Entry(path, EntryType.FILE, 0644, 0, 0, 0, 0, l.totalBytes(), null, 0, List.of(), l);
    }

    static Entry dir(String path) {
        return new Entry(path, EntryType.DIRECTORY, 0755, 0, 0, 0, 0, 0, null, 0, List.of(), ChunkList.EMPTY);
    }

    @Test
    void globsOnePerLineSkippingBlanksAndComments() {
        PriorityFiles p = PriorityFiles.parse(List.of("# boot first", "", "/boot/**", "etc/*.conf  "));
        assertEquals(List.of("boot/**", "etc/*.conf"), p.globs());
        assertTrue(p.matches("boot/vmlinuz"));
        assertTrue(p.matches("boot/grub/grub.cfg"));
        assertTrue(p.matches("etc/fstab.conf"));
        assertFalse(p.matches("etc/ssh/sshd.conf"), "* stays inside one directory");
        assertFalse(p.matches("usr/bin/ls"));
        assertFalse(p.matches(""));
    }

    @Test
    void theChunksOfMatchingFilesOfATreeImage() {
        Manifest m = Manifest.tree(List.of(
                dir(""), dir("boot"), file("boot/vmlinuz", 1, 2), dir("etc"), file("etc/hosts.conf", 3), dir("usr"),
                file("usr/big", 2, 4, 5)));
        ServedImage img = new ServedImage("a", ImageKind.TREE, ManifestFormat.encode(m), null, null, List.of(), 0);
        assertEquals(Set.of(id(1), id(2), id(3)), PriorityFiles.parse(List.of("boot/**", "etc/*.conf")).first(img));
        assertEquals(Set.of(), PriorityFiles.NONE.first(img));
        assertEquals(Set.of(), PriorityFiles.parse(List.of("boot/**")).first(null), "a live image: nothing first");
    }

    @Test
    void badListsGetAClearError(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PriorityFiles.read(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("cannot read the priority file list"), e.getMessage());
        Path f = Files.writeString(dir.resolve("list"), "boot/[\n");
        e = assertThrows(IllegalArgumentException.class, () -> PriorityFiles.read(f));
        assertTrue(e.getMessage().contains("bad glob 'boot/['"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PriorityFiles.parse(List.of("/")));
    }
}
