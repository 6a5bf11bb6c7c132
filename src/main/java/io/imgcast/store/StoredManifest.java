package io.imgcast.store;

/**
 * An image's manifest as the catalog keeps it: the encoded blob ({@link
 * io.imgcast.manifest.ManifestFormat}), its SHA-256 and the store key's signature over name, kind
 * and that hash ({@link io.imgcast.manifest.ImageSignature}). Unchecked: {@link Store#manifest}
 * checks and decodes it.
 */
public record StoredManifest(byte[] blob, byte[] sha256, byte[] signature) {}
