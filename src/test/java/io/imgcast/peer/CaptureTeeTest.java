package io.imgcast.peer;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.store.ChunkSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureTeeTest {
    @TempDir Path tmp;

    /** A store's write session as the tee sees it: holds {@code known}, records what it is given. */
    static final class FakeStore implements ChunkSink {
        final Set<ChunkId> known = new HashSet<>();
        final Set<ChunkId> claimed = new HashSet<>();
        final List<ChunkId> appended = new ArrayList<>();
        ChunkCodec.Dictionary dict;

        @Override
        public synchronized boolean claim(ChunkId id) {
            return !known.contains(id) && claimed.add(id);
        }

        @Override
        public synchronized void append(ChunkId id, byte codec, int rawLen, byte[] payload, int len) {
            appended.add(id);
        }

        @Override
        public ChunkCodec.Dictionary dictionary() { return dict; }

        @Override
        public boolean keepsDictionary() { return true; }

        @Override
        public void setDictionary(ChunkCodec.Dictionary d) { dict = d; }
    }

    static ChunkId id(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ChunkId.hash(b, 0, b.length);
    }

    @Test
    void theSessionGetsEveryChunkAndTheStoreOnlyWhatItLacks() throws Exception {
        SourceCatalog session = new SourceCatalog(tmp, "t", 1 << 20);
        FakeStore store = new FakeStore();
        ChunkId had = id("already in the store");
        ChunkId fresh = id("new to both");
        store.known.add(had);
        CaptureTee tee = new CaptureTee(session, store, false);

        assertTrue(tee.claim(had), "the session must send a chunk the store already holds");
        assertTrue(tee.claim(fresh));
        assertFalse(tee.claim(fresh), "one caller per chunk");
        byte[] p = {1, 2, 3};
        tee.append(had, ChunkCodec.ZSTD, 10, p, 3);
        tee.append(fresh, ChunkCodec.ZSTD, 10, p, 3);
        assertEquals(List.of(fresh), store.appended, "the store is given only the chunk it lacked");
        assertEquals(2 * 3, session.cachedBytes(), "the session keeps both to send");
    }

    @Test
    void aLiveVolumeIsCompressedWithoutTheStoresDictionaryATreeWithIt() {
        SourceCatalog session = new SourceCatalog(tmp, "t", 1 << 20);
        FakeStore store = new FakeStore();
        store.dict = new ChunkCodec.Dictionary(new byte[] {1, 2, 3, 4});
        CaptureTee live = new CaptureTee(session, store, true);
        assertNull(live.dictionary());
        assertFalse(live.keepsDictionary(), "a live volume never trains one either");
        CaptureTee tree = new CaptureTee(session, store, false);
        assertSame(store.dict, tree.dictionary());
        assertTrue(tree.keepsDictionary());
    }
}
