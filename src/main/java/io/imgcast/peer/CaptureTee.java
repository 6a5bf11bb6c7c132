package io.imgcast.peer;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.store.ChunkSink;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mode 2 in one read: the chunks a master cuts from its source go to the session
 * ({@link SourceCatalog}, which sends them) and to a store's write session at the same time, so
 * the store ends with the very image the receivers got. The session claims every chunk once (it
 * must send it even when the store holds it already); the store is asked only then, and gets
 * the chunks it lacks. A volume is sent while it is read (live), before any receiver could have
 * the image's dictionary, so its chunks are compressed without one; a tree is sent once read
 * whole and uses the store's dictionary (training it when the store has none), which travels
 * with the manifest.
 */
final class CaptureTee implements ChunkSink {
    private final SourceCatalog session;
    private final ChunkSink store;
    private final boolean live;
    /** Chunks the store claimed (it lacks them) and has not been given yet. */
    private final Set<ChunkId> forStore = ConcurrentHashMap.newKeySet();

    /** {@code live}: the session streams the source while it is read (a volume). */
    CaptureTee(SourceCatalog session, ChunkSink store, boolean live) {
        this.session = session;
        this.store = store;
        this.live = live;
    }

    @Override
    public boolean claim(ChunkId id) {
        if (!session.claim(id)) return false;
        if (store.claim(id)) forStore.add(id);
        return true;
    }

    @Override
    public void append(ChunkId id, byte codec, int rawLen, byte[] payload, int len) throws IOException {
        if (forStore.remove(id)) store.append(id, codec, rawLen, payload, len);
        session.append(id, codec, rawLen, payload, len);
    }

    @Override
    public boolean wantsPlacements() {
        return session.wantsPlacements();
    }

    @Override
    public void placed(long offset, ChunkId id, int rawLen) throws IOException {
        session.placed(offset, id, rawLen);
    }

    @Override
    public ChunkCodec.Dictionary dictionary() {
        return live ? null : store.dictionary();
    }

    @Override
    public boolean keepsDictionary() {
        return !live && store.keepsDictionary();
    }

    @Override
    public void setDictionary(ChunkCodec.Dictionary d) {
        store.setDictionary(d);
    }
}
