package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunk table of a volume image that is still being read: a peer-to-peer master publishes
 * each chunk's placement (its offset in the volume and its encoding) as soon as it is cut, so
 * that receivers learn, and the stream sends, the image while the source is still being read —
 * a disk larger than memory streams without a prior full pass. Placements come in volume order;
 * a chunk's index in the table (what needs bitmaps and completion reports count) is the order of
 * its first placement, which is also the order of the finished manifest's distinct chunks. When
 * the read ends the table is {@link #complete completed} with the signed image, whose chunk list
 * must equal the table; receivers check their placements against its manifest before they
 * finish. Thread-safe.
 *
 * <p>Wire form of a slice ({@code GET /api/v1/machines/ID/table?from=N}), big-endian: magic
 * {@code "ICLT"}, u8 version (1), u8 state (0 growing, 1 complete, 2 failed), u32 first
 * placement, u32 count, u32 placements in all so far, then per placement: i64 offset, 32-byte
 * chunk id, u8 codec, i32 stored length, i32 raw length. A failed table carries instead the
 * error as u16 length plus UTF-8. The server appends the session's signature to every slice it
 * sends ({@link TableSignature}); the receiver checks it before it decodes the slice.
 */
public final class LiveTable implements ChunkTable {
    /** One chunk placed at one offset of the volume. */
    public record Placement(long offset, ChunkMeta chunk) {}

    /** What a receiver gets: placements {@code [from, from + placements.size())}, and the table's state. */
    public record Slice(int from, List<Placement> placements, int total, boolean complete, String failure) {}

    static final int MAGIC = 0x49434c54; // "ICLT"
    public static final int ENTRY_BYTES = 8 + ChunkId.LENGTH + 1 + 4 + 4;
    /** Placements in one slice at most (about 400 KiB). */
    public static final int MAX_SLICE = 8192;

    private final String name;
    private final long volumeSize;
    private final List<Placement> placements = new ArrayList<>();
    private final List<ChunkMeta> distinct = new ArrayList<>();
    private final Map<ChunkId, Integer> index = new HashMap<>();
    private long end;
    private volatile ServedImage complete;
    private volatile String failure;

    public LiveTable(String name, long volumeSize) {
        this.name = name;
        this.volumeSize = volumeSize;
    }

    public String name() { return name; }

    public long volumeSize() { return volumeSize; }

    /** Publishes the next chunk of the volume, at {@code offset} (not before the end of the previous one). */
    public synchronized void add(long offset, ChunkMeta c) {
        if (complete != null || failure != null) throw new IllegalStateException("the table of '" + name + "' is closed");
        if (offset < end || offset + c.rawLength() > volumeSize) {
            throw new IllegalArgumentException("placement at " + offset + " is out of order or outside the volume");
        }
        placements.add(new Placement(offset, c));
        end = offset + c.rawLength();
        if (index.putIfAbsent(c.id(), distinct.size()) == null) distinct.add(c);
    }

    /** The read ended: {@code image} is the signed image, whose chunk list must be this table's. */
    public synchronized void complete(ServedImage image) {
        if (!image.chunks().equals(distinct)) {
            throw new IllegalStateException("the finished image's chunk table differs from the one published while reading");
        }
        complete = image;
    }

    /** The read failed: receivers are told {@code why}. */
    public void fail(String why) {
        failure = why == null ? "unknown error" : why;
    }

    /** The signed image once the read ended, else null. */
    public ServedImage completed() { return complete; }

    public String failure() { return failure; }

    @Override
    public synchronized int size() { return distinct.size(); }

    @Override
    public synchronized ChunkMeta get(int i) { return distinct.get(i); }

    public synchronized int placementCount() { return placements.size(); }

    /** Raw bytes of all distinct chunks published so far. */
    public synchronized long dataBytes() {
        long t = 0;
        for (ChunkMeta c : distinct) t += c.rawLength();
        return t;
    }

    /** Encodes placements from {@code from} on (at most {@link #MAX_SLICE}). */
    public byte[] encodeSlice(int from) {
        String f = failure;
        if (f != null) {
            byte[] msg = f.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(msg.length, 4000);
            ByteBuffer b = ByteBuffer.allocate(20 + n);
            b.putInt(MAGIC).put((byte) 1).put((byte) 2).putInt(from).putInt(0).putInt(0).putShort((short) n).put(msg, 0, n);
            return b.array();
        }
        synchronized (this) {
            boolean done = complete != null;
            int total = placements.size();
            int start = Math.max(0, Math.min(from, total));
            int count = Math.min(MAX_SLICE, total - start);
            ByteBuffer b = ByteBuffer.allocate(18 + count * ENTRY_BYTES);
            b.putInt(MAGIC).put((byte) 1).put((byte) (done ? 1 : 0)).putInt(start).putInt(count).putInt(total);
            for (int i = start; i < start + count; i++) {
                Placement p = placements.get(i);
                b.putLong(p.offset()).put(p.chunk().id().toBytes()).put(p.chunk().codec())
                        .putInt(p.chunk().storedLength()).putInt(p.chunk().rawLength());
            }
            return b.array();
        }
    }

    /** Decodes a slice; anything malformed is a {@link CorruptDataException}. */
    public static Slice decodeSlice(byte[] data) {
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            if (b.getInt() != MAGIC || b.get() != 1) throw new CorruptDataException("not a chunk table slice");
            int state = b.get();
            int from = b.getInt();
            int count = b.getInt();
            int total = b.getInt();
            if (state == 2) {
                byte[] msg = new byte[b.getShort() & 0xffff];
                b.get(msg);
                return new Slice(from, List.of(), 0, false, new String(msg, StandardCharsets.UTF_8));
            }
            if (state != 0 && state != 1) throw new CorruptDataException("unknown table state " + state);
            if (from < 0 || count < 0 || count > MAX_SLICE || total < from + count || b.remaining() != (long) count * ENTRY_BYTES) {
                throw new CorruptDataException("chunk table slice has inconsistent counts");
            }
            List<Placement> out = new ArrayList<>(count);
            byte[] id = new byte[ChunkId.LENGTH];
            for (int i = 0; i < count; i++) {
                long off = b.getLong();
                b.get(id);
                byte codec = b.get();
                int stored = b.getInt();
                int raw = b.getInt();
                if (off < 0 || stored <= 0 || raw <= 0 || raw > 16 << 20 || stored > 17 << 20) {
                    throw new CorruptDataException("chunk table entry " + (from + i) + " is out of range");
                }
                out.add(new Placement(off, new ChunkMeta(ChunkId.of(id, 0), codec, stored, raw)));
            }
            return new Slice(from, out, total, state == 1, null);
        } catch (BufferUnderflowException e) {
            throw new CorruptDataException("chunk table slice is truncated");
        }
    }
}
