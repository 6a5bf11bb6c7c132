package io.imgcast.receiver;

import io.imgcast.chunk.ChunkId;
import io.imgcast.chunk.ChunkStream;
import io.imgcast.chunk.FastCdc;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delta re-imaging of a tree: chunks anywhere on the target are found, not only at their old paths. */
class TreeTargetDeltaTest {
    @TempDir Path tmp;

    /** Chunks {@code data} as a capture does; the chunks' bytes go to {@code bytes}. */
    static ChunkList chunks(byte[] data, Map<ChunkId, byte[]> bytes) throws IOException {
        ChunkList.Builder b = new ChunkList.Builder();
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        new ChunkStream(new FastCdc(), 4 * FastCdc.DEFAULT_MAX).split(in::read, (buf, off, len) -> {
            ChunkId id = ChunkId.hash(buf, off, len);
            bytes.put(id, java.util.Arrays.copyOfRange(buf, off, off + len));
            b.add(id, len);
        });
        return b.build();
    }

    static Entry dir(String path) {
        return new Entry(path, EntryType.DIRECTORY, 0755, 0, 0, 0, 0, 0, null, 0, List.of(), ChunkList.EMPTY);
    }

    static Entry file(String path, ChunkList c) {
        return new Entry(path, EntryType.FILE, 0644, 0, 0, 0, 0, c.totalBytes(), null, 0, List.of(), c);
    }

    @Test
    void movedFilesAndShiftedContentAreFoundAnywhereOnTheTarget() throws IOException {
        Random r = new Random(3);
        byte[] big = new byte[2 << 20];
        r.nextBytes(big);
        byte[] conf = new byte[600_000];
        r.nextBytes(conf);
        // the older image on the target
        Path out = tmp.resolve("target");
        Files.createDirectories(out.resolve("lib/python3.11"));
        Files.write(out.resolve("lib/python3.11/big.bin"), big);
        Files.write(out.resolve("conf"), conf);
        // the new image: big.bin moved to another directory, 100 bytes inserted at conf's start
        byte[] conf2 = new byte[conf.length + 100];
        System.arraycopy(conf, 0, conf2, 100, conf.length);
        Map<ChunkId, byte[]> bytes = new HashMap<>();
        ChunkList bigChunks = chunks(big, bytes);
        ChunkList confChunks = chunks(conf2, bytes);
        Manifest m = Manifest.tree(List.of(dir(""), dir("lib"), dir("lib/python3.12"), file("lib/python3.12/big.bin", bigChunks),
                file("conf", confChunks)));
        int all = bytes.size();
        try (TreeTarget t = new TreeTarget(m, out)) {
            Set<ChunkId> lacking = t.prepare();
            // only the chunk(s) holding the insertion are new data; the rest was somewhere on the target
            assertTrue(lacking.size() <= 2, "lacking " + lacking.size() + " of " + all + " chunks");
            assertTrue(all >= 20, "enough chunks to tell: " + all);
            for (ChunkId id : lacking) t.write(id, bytes.get(id), bytes.get(id).length);
            t.finish();
            assertNull(t.verify());
        }
        assertArrayEquals(big, Files.readAllBytes(out.resolve("lib/python3.12/big.bin")));
        assertArrayEquals(conf2, Files.readAllBytes(out.resolve("conf")));
        List<String> left = new ArrayList<>();
        try (var s = Files.walk(out)) {
            s.forEach(p -> left.add(out.relativize(p).toString()));
        }
        assertEquals(List.of("", "lib", "lib/python3.12", "lib/python3.12/big.bin", "conf").stream().sorted().toList(),
                left.stream().sorted().toList(), "the older image's leftovers and the spool are gone");
    }
}
