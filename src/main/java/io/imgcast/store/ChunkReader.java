package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Reads chunks out of packs and checks them: record header against the index, CRC of the stored
 * payload, and, after decoding, the SHA-256 of the content against the chunk id. Nothing that
 * fails a check is returned. One per thread; close to free the native decoder.
 */
public final class ChunkReader implements AutoCloseable {
    /** Told of every chunk that fails a check (the store remembers it as bad). */
    interface FailureListener {
        void failed(ChunkId id, String reason);
    }

    private final PackSet packs;
    private final ChunkCodec codec;
    private final FailureListener listener;
    private byte[] record = new byte[PackFormat.RECORD_HEADER + 300 * 1024];

    ChunkReader(PackSet packs, ChunkCodec.Dictionary dict, FailureListener listener) {
        this.packs = packs;
        this.listener = listener;
        this.codec = new ChunkCodec(ChunkCodec.DEFAULT_LEVEL, dict);
    }

    /** Decodes the verified content of chunk {@code id} into {@code dst} at 0; returns its length. */
    public int read(ChunkId id, ChunkLocation loc, byte[] dst) throws IOException {
        readRecord(id, loc);
        if (dst.length < loc.rawLength()) throw new IllegalArgumentException("buffer too small for chunk");
        try {
            codec.decode(loc.codec(), record, PackFormat.RECORD_HEADER, loc.storedLength(), dst, 0, loc.rawLength());
            if (!id.matches(dst, 0, loc.rawLength())) {
                throw new CorruptDataException("chunk " + id.shortHex() + " content does not match its hash");
            }
        } catch (CorruptDataException e) {
            listener.failed(id, e.getMessage());
            throw e;
        }
        return loc.rawLength();
    }

    /**
     * Reads the stored (still encoded) record of chunk {@code id}, checked by CRC; the returned
     * array holds the {@link PackFormat#RECORD_HEADER}-byte header then the payload, and is reused
     * by the next call.
     */
    public byte[] readRecord(ChunkId id, ChunkLocation loc) throws IOException {
        int need = PackFormat.RECORD_HEADER + loc.storedLength();
        if (loc.storedLength() < 0 || loc.storedLength() > (1 << 24)) throw new CorruptDataException("index entry for chunk " + id.shortHex() + " has an impossible length");
        if (record.length < need) record = new byte[need];
        try {
            packs.read(loc, record);
            PackFormat.check(record, id, loc);
        } catch (CorruptDataException | EOFException | NoSuchFileException e) {
            listener.failed(id, e.getMessage());
            throw e;
        }
        return record;
    }

    @Override
    public void close() {
        codec.close();
    }
}
