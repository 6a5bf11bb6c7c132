package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Pack file format, version 1. A pack is append-only:
 *
 * <pre>
 *   file header  "IMGCASTPACK1" + 4 zero bytes                      (16 bytes)
 *   records      one per chunk, back to back:
 *     magic      "ICHK"                                             (4)
 *     id         SHA-256 of the raw chunk                           (32)
 *     codec      0 raw, 1 zstd                                      (1)
 *     reserved   zero                                               (3)
 *     raw len    u32 big-endian                                     (4)
 *     stored len u32 big-endian                                     (4)
 *     crc32c     of the stored payload, u32 big-endian              (4)
 *     payload    stored len bytes
 * </pre>
 *
 * Records are self-describing, so a pack can be checked (and the index rebuilt) without the
 * index. A pack is listed in the index only once fsynced; anything past its listed size, and
 * any pack the index does not list, is the leftover of an interrupted write and is removed.
 */
public final class PackFormat {
    public static final byte[] FILE_MAGIC = "IMGCASTPACK1\0\0\0\0".getBytes(StandardCharsets.US_ASCII);
    public static final int FILE_HEADER = 16;
    public static final int RECORD_HEADER = 52;
    private static final int RECORD_MAGIC = 0x4943484B; // "ICHK"

    private PackFormat() {}

    public static void writeHeader(byte[] dst, ChunkId id, byte codec, int rawLen, byte[] payload, int payloadLen) {
        ByteBuffer b = ByteBuffer.wrap(dst, 0, RECORD_HEADER);
        b.putInt(RECORD_MAGIC);
        id.copyTo(dst, 4);
        b.position(36);
        b.put(codec).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putInt(rawLen).putInt(payloadLen);
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, payloadLen);
        b.putInt((int) crc.getValue());
    }

    /** Checks a record (header at 0, payload after it) against what the index says. */
    public static void check(byte[] rec, ChunkId expected, ChunkLocation loc) {
        ByteBuffer b = ByteBuffer.wrap(rec);
        if (b.getInt(0) != RECORD_MAGIC) throw new CorruptDataException("no chunk record at pack offset " + loc.offset());
        if (!expected.equalsAt(rec, 4)) throw new CorruptDataException("pack record holds another chunk than the index says");
        if (rec[36] != loc.codec() || b.getInt(40) != loc.rawLength() || b.getInt(44) != loc.storedLength()) {
            throw new CorruptDataException("pack record header disagrees with the index");
        }
        CRC32C crc = new CRC32C();
        crc.update(rec, RECORD_HEADER, loc.storedLength());
        if ((int) crc.getValue() != b.getInt(48)) throw new CorruptDataException("pack record checksum mismatch");
    }
}
