package io.imgcast.api;

import io.imgcast.chunk.ChunkId;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary bodies of a capture over the network ({@code /api/v1/capture/...}): a list of chunk
 * ids ({@code lacks}: 32 bytes each; the reply a bitmap, bit i set when the store lacks id i), and
 * a batch of encoded chunks ({@code chunks}: per chunk its id, codec, decoded length, encoded
 * length and the encoded bytes; big-endian). The ids are the sender's claim only: the server
 * decodes and hashes every chunk itself.
 */
public final class CaptureBatch {
    private CaptureBatch() {}

    /** Most ids in one {@code lacks} request. */
    public static final int MAX_IDS = 4096;
    /** Most bytes of one {@code chunks} body. */
    public static final int MAX_BODY = 32 << 20;
    /** Largest decoded chunk accepted. */
    public static final int MAX_RAW = 16 << 20;
    private static final int HEADER = ChunkId.LENGTH + 1 + 4 + 4;

    /** One encoded chunk as sent. */
    public record Chunk(ChunkId id, byte codec, int rawLength, byte[] payload) {}

    public static byte[] ids(List<ChunkId> ids) {
        if (ids.size() > MAX_IDS) throw new IllegalArgumentException("at most " + MAX_IDS + " ids at once");
        byte[] b = new byte[ids.size() * ChunkId.LENGTH];
        for (int i = 0; i < ids.size(); i++) ids.get(i).copyTo(b, i * ChunkId.LENGTH);
        return b;
    }

    public static List<ChunkId> readIds(byte[] body) {
        if (body.length % ChunkId.LENGTH != 0 || body.length / ChunkId.LENGTH > MAX_IDS) {
            throw new IllegalArgumentException("a list of chunk ids is a multiple of 32 bytes, at most " + MAX_IDS + " of them");
        }
        List<ChunkId> out = new ArrayList<>();
        for (int off = 0; off < body.length; off += ChunkId.LENGTH) out.add(ChunkId.of(body, off));
        return out;
    }

    /** The bytes a batch of {@code chunks} takes on the wire. */
    public static long size(List<Chunk> chunks) {
        long n = 0;
        for (Chunk c : chunks) n += HEADER + c.payload().length;
        return n;
    }

    public static byte[] chunks(List<Chunk> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size(chunks), MAX_BODY));
        byte[] h = new byte[HEADER];
        for (Chunk c : chunks) {
            ByteBuffer b = ByteBuffer.wrap(h);
            b.put(c.id().toBytes()).put(c.codec()).putInt(c.rawLength()).putInt(c.payload().length);
            out.write(h, 0, HEADER);
            out.write(c.payload(), 0, c.payload().length);
        }
        return out.toByteArray();
    }

    /** Parses a {@code chunks} body; a truncated or malformed one is an {@link IllegalArgumentException}. */
    public static List<Chunk> readChunks(byte[] body) {
        List<Chunk> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(body);
        while (b.hasRemaining()) {
            if (b.remaining() < HEADER) throw new IllegalArgumentException("a chunk record is cut short");
            byte[] id = new byte[ChunkId.LENGTH];
            b.get(id);
            byte codec = b.get();
            int raw = b.getInt();
            int len = b.getInt();
            if (raw < 0 || raw > MAX_RAW) throw new IllegalArgumentException("a chunk of " + raw + " bytes is not accepted (at most " + MAX_RAW + ")");
            if (len < 0 || len > b.remaining()) throw new IllegalArgumentException("a chunk record is cut short");
            byte[] payload = new byte[len];
            b.get(payload);
            out.add(new Chunk(ChunkId.of(id), codec, raw, payload));
        }
        return out;
    }

    /** The reply to {@code lacks}: bit i (of byte i/8, low bit first) set when {@code lacks[i]}. */
    public static byte[] bitmap(boolean[] lacks) {
        byte[] bits = new byte[(lacks.length + 7) / 8];
        for (int i = 0; i < lacks.length; i++) if (lacks[i]) bits[i / 8] |= (byte) (1 << (i % 8));
        return bits;
    }

    public static boolean bit(byte[] bitmap, int i) {
        return (bitmap[i / 8] >> (i % 8) & 1) != 0;
    }
}
