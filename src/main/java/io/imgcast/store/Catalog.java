package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.util.Timing;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The images of a store and their manifests. A manifest is only handed out checked: its hash
 * against the recorded one, the store key's signature over name, kind and hash, its structure,
 * and its kind against the catalog's.
 */
final class Catalog {
    private final Path dir;
    private final Index index;
    private final StoreKey key;

    Catalog(Path dir, Index index, StoreKey key) {
        this.dir = dir;
        this.index = index;
        this.key = key;
    }

    List<ImageInfo> images() {
        return index.images();
    }

    Optional<ImageInfo> find(String name) {
        return index.find(name);
    }

    ImageInfo image(String name) {
        return find(name).orElseThrow(() -> new StoreException("no image named '" + ImageName.printable(name) + "' in store " + dir
                + " (see 'imgcast list')"));
    }

    StoredManifest storedManifest(ImageInfo image) {
        return index.storedManifest(image.id())
                .orElseThrow(() -> new StoreException("image '" + image.name() + "' was deleted meanwhile"));
    }

    /** Loads and checks an image's manifest: hash, signature and structure. */
    Manifest manifest(ImageInfo image) {
        StoredManifest sm = storedManifest(image);
        Timing.mark("m-read");
        MessageDigest sha = ChunkId.newDigest();
        if (!MessageDigest.isEqual(sha.digest(sm.blob()), sm.sha256())) {
            throw new CorruptDataException("manifest of image '" + image.name() + "' is corrupt (hash mismatch)");
        }
        Timing.mark("m-sha");
        // the signature check and the decoding each take a while on a large manifest: side by side
        PublicKey pub = key.publicKey();
        CompletableFuture<Boolean> signed = CompletableFuture.supplyAsync(
                () -> ImageSignature.verify(pub, image.name(), image.kind(), sm.sha256(), sm.signature()));
        Manifest m;
        try {
            m = ManifestFormat.decode(sm.blob());
        } finally {
            if (!signed.join()) throw new CorruptDataException("manifest of image '" + image.name() + "' has an invalid signature");
        }
        Timing.mark("m-decode+ed25519");
        if (m.kind() != image.kind()) throw new CorruptDataException("manifest of image '" + image.name() + "' has the wrong kind");
        return m;
    }
}
