package io.imgcast.cast;

import io.imgcast.codec.CorruptDataException;
import io.imgcast.image.ImageKind;

import java.nio.ByteBuffer;

/**
 * The body of {@code GET /api/v1/machines/ID/manifest}: an image's manifest with what a receiver
 * needs to check it, in binary (the manifest is mostly SHA-256 ids, which neither compress nor
 * belong in base64: every receiver fetches one, so its size is part of a session's traffic).
 *
 * <pre>
 *   'I' 'M'  magic;  u8 version 1;  u8 kind (0 file tree, 1 volume)
 *   u16 signature length, signature (Ed25519 over name, kind and the manifest's SHA-256)
 *   u16 public key length, public key (X.509)
 *   the manifest ({@link io.imgcast.image.ManifestFormat}), to the end
 * </pre>
 */
record SignedManifest(ImageKind kind, byte[] signature, byte[] publicKey, byte[] manifest) {
    private static final int VERSION = 1;

    static SignedManifest of(ServedImage img) {
        return new SignedManifest(img.kind(), img.signature(), img.publicKey(), img.manifest());
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(8 + signature.length + publicKey.length + manifest.length);
        b.put((byte) 'I').put((byte) 'M').put((byte) VERSION).put((byte) kind.ordinal());
        b.putShort((short) signature.length).put(signature);
        b.putShort((short) publicKey.length).put(publicKey);
        b.put(manifest);
        return b.array();
    }

    static SignedManifest decode(byte[] body) {
        try {
            ByteBuffer b = ByteBuffer.wrap(body);
            if (b.get() != 'I' || b.get() != 'M') throw new CorruptDataException("not a signed manifest");
            if (b.get() != VERSION) throw new CorruptDataException("signed manifest of an unknown version");
            int kind = b.get();
            if (kind < 0 || kind >= ImageKind.values().length) throw new CorruptDataException("unknown image kind " + kind);
            byte[] sig = new byte[b.getShort() & 0xffff];
            b.get(sig);
            byte[] key = new byte[b.getShort() & 0xffff];
            b.get(key);
            byte[] manifest = new byte[b.remaining()];
            b.get(manifest);
            return new SignedManifest(ImageKind.values()[kind], sig, key, manifest);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptDataException("truncated signed manifest");
        }
    }
}
