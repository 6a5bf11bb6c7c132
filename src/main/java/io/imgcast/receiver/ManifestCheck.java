package io.imgcast.receiver;

import io.imgcast.cast.SignedManifest;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.trust.Pin;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.function.Supplier;

/**
 * Checks what the server says an image is before anything is written by it: a {@link
 * SignedManifest} body (the pinned key if one was given, the signature over the image's name,
 * kind and manifest, the kind as announced) is decoded into its manifest; for an image streamed
 * while it was read, {@link Placements} checks that the manifest describes exactly the
 * placements the live table published. Keeps the zstd dictionary the image's chunks need.
 */
final class ManifestCheck {
    private final String image;
    /** The pin the signing key's fingerprint must match (null: none), asked at each check. */
    private final Supplier<Pin> pin;
    private volatile ChunkCodec.Dictionary dictionary;

    ManifestCheck(String image, String pinnedKey) {
        this(image, pinnedKey == null ? () -> null : constant(Pin.parse(pinnedKey)));
    }

    /** {@code pin}: asked at each check (a key trusted on first use becomes known at the join). */
    ManifestCheck(String image, Supplier<Pin> pin) {
        this.image = image;
        this.pin = pin;
    }

    private static Supplier<Pin> constant(Pin p) {
        return () -> p;
    }

    /**
     * The manifest of a signed body; {@code announcedKind}: the kind the join reply named (null:
     * none). Throws {@link CorruptDataException} when a check fails.
     */
    Manifest manifest(byte[] body, String announcedKind) {
        SignedManifest sm = SignedManifest.decode(body);
        checkSignature(sm);
        if (announcedKind != null && !sm.kind().name().equals(announcedKind)) throw new CorruptDataException("manifest kind differs from the announced one");
        Manifest m = ManifestFormat.decode(sm.manifest());
        if (m.kind() != sm.kind()) throw new CorruptDataException("manifest kind differs from the signed one");
        if (sm.dictionary() != null) dictionary = new ChunkCodec.Dictionary(sm.dictionary());
        return m;
    }

    /** The pinned key, then the Ed25519 signature over name, kind and the manifest's SHA-256. */
    private void checkSignature(SignedManifest sm) {
        Pin pinnedKey = pin.get();
        if (pinnedKey != null) {
            String fp = ImageSignature.fingerprint(sm.publicKey());
            if (!pinnedKey.matches(fp)) throw new CorruptDataException("the server's key " + fp.substring(0, 16) + " is not the pinned one");
        }
        PublicKey key;
        try {
            key = ImageSignature.publicKey(sm.publicKey());
        } catch (GeneralSecurityException e) {
            throw new CorruptDataException("unreadable server key");
        }
        byte[] sha = ChunkId.newDigest().digest(sm.manifest());
        if (!ImageSignature.verify(key, image, sm.kind(), sha, sm.signature())) throw new CorruptDataException("manifest signature is invalid");
    }

    /** The zstd dictionary from the last checked manifest, or null. */
    ChunkCodec.Dictionary dictionary() {
        return dictionary;
    }

    /**
     * The placements (offset, chunk, length) a live table published, digested in order, to be
     * compared once with the extents of the image's signed manifest. Table slices are not
     * signed: this is what ties them to the signature.
     */
    static final class Placements {
        private final MessageDigest digest = ChunkId.newDigest();
        private final ByteBuffer entry = ByteBuffer.allocate(8 + ChunkId.LENGTH + 4);

        void add(long offset, ChunkId id, int length) {
            entry.clear();
            entry.putLong(offset);
            id.copyTo(entry.array(), 8);
            entry.position(8 + ChunkId.LENGTH);
            entry.putInt(length);
            digest.update(entry.array(), 0, entry.position());
        }

        /** Throws unless the manifest's extents list exactly the placements added, in order. Once. */
        void check(Manifest m) {
            byte[] published = digest.digest();
            for (Extent x : m.extents()) {
                long off = x.offset();
                for (int i = 0; i < x.chunks().size(); i++) {
                    add(off, x.chunks().id(i), x.chunks().length(i));
                    off += x.chunks().length(i);
                }
            }
            if (!MessageDigest.isEqual(published, digest.digest())) {
                throw new CorruptDataException("the master's signed manifest does not describe the chunks it published while reading");
            }
        }
    }
}
