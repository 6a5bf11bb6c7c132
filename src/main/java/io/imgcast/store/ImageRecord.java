package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.ManifestFormat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One image as kept beside the packs ({@code images/*.image}), so that the index can be rebuilt
 * without index.db ({@link Repair}). Format, version 1 (integers big-endian):
 *
 * <pre>
 *   magic       "IMGCASTIMAGE1\n"                                  (14)
 *   name, kind, description, flags, user info: each u32 length + UTF-8 (length 0xFFFFFFFF: none)
 *   created     i64 milliseconds since the epoch
 *   manifest    u32 length + encoded manifest ({@link ManifestFormat})
 *   sha256      u32 length + SHA-256 of the manifest
 *   signature   u32 length + the store key's signature ({@link ImageSignature})
 *   crc32c      of everything before it                            (4)
 * </pre>
 *
 * The signature covers name, kind and manifest (so every chunk); description, flags, user info
 * and time are descriptive and unsigned, as in the index. The CRC only tells damage apart from a
 * record that is merely unsigned.
 */
record ImageRecord(String name, ImageKind kind, String description, String flags, String userInfo, long created,
                   StoredManifest manifest) {
    static final byte[] MAGIC = "IMGCASTIMAGE1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FIELD = 1 << 30;

    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(manifest.blob().length + 512);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            text(out, name);
            text(out, kind.name());
            text(out, description);
            text(out, flags);
            text(out, userInfo);
            out.writeLong(created);
            block(out, manifest.blob());
            block(out, manifest.sha256());
            block(out, manifest.signature());
            out.flush();
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        block(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void block(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    /** Parses a record; a damaged or foreign file is a {@link CorruptDataException}. */
    static ImageRecord decode(byte[] file) {
        if (file.length < MAGIC.length + 4 || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptDataException("not an image record");
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        ByteBuffer b = ByteBuffer.wrap(file, 0, file.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(file).getInt(file.length - 4)) throw new CorruptDataException("image record checksum mismatch");
        b.position(MAGIC.length);
        try {
            String name = text(b);
            ImageKind kind = ImageKind.valueOf(text(b));
            String description = text(b);
            String flags = text(b);
            String userInfo = text(b);
            long created = b.getLong();
            byte[] blob = block(b);
            byte[] sha = block(b);
            byte[] sig = block(b);
            if (name == null || blob == null || sha == null || sig == null || b.hasRemaining()) throw new CorruptDataException("image record is malformed");
            if (sha.length != ChunkId.LENGTH) throw new CorruptDataException("image record has a malformed hash");
            return new ImageRecord(name, kind, description, flags, userInfo, created, new StoredManifest(blob, sha, sig));
        } catch (RuntimeException e) {
            if (e instanceof CorruptDataException c) throw c;
            throw new CorruptDataException("image record is malformed: " + e);
        }
    }

    private static String text(ByteBuffer b) {
        byte[] raw = block(b);
        return raw == null ? null : new String(raw, StandardCharsets.UTF_8);
    }

    private static byte[] block(ByteBuffer b) {
        int n = b.getInt();
        if (n == -1) return null;
        if (n < 0 || n > MAX_FIELD || n > b.remaining()) throw new CorruptDataException("image record has a bad field length");
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
