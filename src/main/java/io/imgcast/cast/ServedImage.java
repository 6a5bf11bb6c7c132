package io.imgcast.cast;


import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;

import java.util.List;

/**
 * An image as the control API hands it out: its name and kind, the signed manifest (blob,
 * Ed25519 signature, the signer's public key in X.509 form), its chunk table in manifest
 * order, which is what the machines' needs bitmaps and completion reports index, and the zstd
 * dictionary its chunks need (null when none does).
 */
public record ServedImage(String name, ImageKind kind, byte[] manifest, byte[] signature, byte[] publicKey,
                          List<ChunkMeta> chunks, long totalBytes, byte[] dictionary) {
    /** The largest stored chunk one FEC block carries: {@link Wire#MAX_K} symbols of the smallest size. */
    public static final int MAX_CHUNK = Wire.MAX_K * Wire.MIN_SYMBOL;

    public ServedImage {
        for (ChunkMeta c : chunks) {
            if (c.storedLength() > MAX_CHUNK) {
                throw new CorruptDataException("image " + name + ": chunk " + c.id() + " is " + c.storedLength()
                        + " bytes stored, more than one FEC block carries (" + MAX_CHUNK + "); it was not made by imgcast's chunker:"
                        + " capture the image again");
            }
        }
    }

    public ServedImage(String name, ImageKind kind, byte[] manifest, byte[] signature, byte[] publicKey,
                       List<ChunkMeta> chunks, long totalBytes) {
        this(name, kind, manifest, signature, publicKey, chunks, totalBytes, null);
    }

    /** Stored (wire) bytes of all chunks. */
    public long storedBytes() {
        long t = 0;
        for (ChunkMeta c : chunks) t += c.storedLength();
        return t;
    }
}
