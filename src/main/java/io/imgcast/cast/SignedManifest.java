package io.imgcast.cast;

import com.github.luben.zstd.Zstd;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ManifestFormat;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The body of {@code GET /api/v1/machines/ID/manifest}: an image's manifest with what a receiver
 * needs to check it and to decode its chunks, in binary (the manifest is mostly SHA-256 ids, which
 * neither compress nor belong in base64: every receiver fetches one, so its size is part of a
 * session's traffic).
 *
 * <pre>
 *   'I' 'M'  magic;  u8 version 2;  u8 kind (0 file tree, 1 volume)
 *   u16 signature length, signature (Ed25519 over name, kind and the manifest's SHA-256)
 *   u16 public key length, public key (X.509)
 *   u32 dictionary length (0: the image's chunks need none), the store's zstd dictionary,
 *       itself compressed with zstd (not signed: a wrong one only makes chunks fail their hashes)
 *   the manifest ({@link ManifestFormat}), to the end
 * </pre>
 */
public record SignedManifest(ImageKind kind, byte[] signature, byte[] publicKey, byte[] dictionary, byte[] manifest) {
    private static final int VERSION = 2;
    /** A dictionary larger than this is refused (stores train 112 KiB ones). */
    static final int MAX_DICTIONARY = 4 << 20;

    public static SignedManifest of(ServedImage img) {
        return new SignedManifest(img.kind(), img.signature(), img.publicKey(), img.dictionary(), img.manifest());
    }

    public byte[] encode() {
        byte[] dict = dictionary == null ? new byte[0] : Zstd.compress(dictionary, 19);
        ByteBuffer b = ByteBuffer.allocate(12 + signature.length + publicKey.length + dict.length + manifest.length);
        b.put((byte) 'I').put((byte) 'M').put((byte) VERSION).put((byte) kind.ordinal());
        b.putShort((short) signature.length).put(signature);
        b.putShort((short) publicKey.length).put(publicKey);
        b.putInt(dict.length).put(dict);
        b.put(manifest);
        return b.array();
    }

    public static SignedManifest decode(byte[] body) {
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
            int dl = b.getInt();
            if (dl < 0 || dl > b.remaining()) throw new CorruptDataException("bad dictionary length in signed manifest");
            byte[] dict = null;
            if (dl > 0) {
                byte[] z = new byte[dl];
                b.get(z);
                long n = Zstd.getFrameContentSize(z);
                if (n <= 0 || n > MAX_DICTIONARY) throw new CorruptDataException("bad dictionary in signed manifest");
                try {
                    dict = Zstd.decompress(z, (int) n);
                } catch (RuntimeException e) {
                    throw new CorruptDataException("dictionary in signed manifest does not decode");
                }
            }
            byte[] manifest = new byte[b.remaining()];
            b.get(manifest);
            return new SignedManifest(ImageKind.values()[kind], sig, key, dict, manifest);
        } catch (BufferUnderflowException e) {
            throw new CorruptDataException("truncated signed manifest");
        }
    }
}
