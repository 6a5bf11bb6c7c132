/**
 * The deduplicated store.
 *
 * <p>Vocabulary: a <b>pack</b> is an append-only file of chunk <b>records</b> ({@link
 * io.imgcast.store.PackFormat}); the <b>index</b> ({@link io.imgcast.store.Index}, SQLite) maps
 * chunk ids to records, lists packs and holds the catalog, and is the only class that speaks SQL:
 * each change is one <b>transaction</b>; the <b>catalog</b> ({@link io.imgcast.store.Catalog})
 * lists images with their descriptive data and signed <b>manifest</b> ({@link
 * io.imgcast.store.StoredManifest} as kept, handed out only checked); the <b>references</b>
 * ({@link io.imgcast.store.References}) are which chunks each image names, read from the
 * manifests; the <b>dictionary</b> ({@link io.imgcast.store.StoreDictionary}) is the zstd
 * dictionary trained on the store's first image; the <b>store key</b> ({@link
 * io.imgcast.store.StoreKey}) signs every image ({@link io.imgcast.manifest.ImageSignature}).
 * {@link io.imgcast.store.Store} opens a store, holds its <b>locks</b> ({@link
 * io.imgcast.store.StoreLock}: one writer; gc against readers) and joins these parts. An
 * <b>ingest</b> is one write session that makes an image visible atomically at commit. <b>Unique
 * bytes</b> of an image are those of chunks no other image references. <b>gc</b> rewrites packs
 * to drop chunks no image references. An <b>image record</b> ({@link io.imgcast.store.ImageRecord})
 * is an image's signed manifest and descriptive data kept as a file beside the packs, with the
 * public key and the dictionary ({@link io.imgcast.store.SideFiles}), so that <b>repair</b>
 * ({@link io.imgcast.store.Repair}) can rebuild a lost index; <b>orphans</b> are chunks no image
 * names. A <b>bad chunk</b> is one a reader found damaged; an ingest checks it before reusing it.
 * The <b>image name</b> rule is {@link io.imgcast.store.ImageName}'s.
 */
package io.imgcast.store;
