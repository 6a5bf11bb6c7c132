package io.imgcast.store;

import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.ManifestFormat;

/**
 * An image's manifest as the catalog keeps it: the encoded blob ({@link
 * ManifestFormat}), its SHA-256 and the store key's signature over name, kind
 * and that hash ({@link ImageSignature}). Unchecked: {@link Store#manifest}
 * checks and decodes it.
 */
public record StoredManifest(byte[] blob, byte[] sha256, byte[] signature) {}
