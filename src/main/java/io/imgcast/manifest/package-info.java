/**
 * The image description shared by capture, apply, the store and the deployment: the
 * <b>manifest</b> and its binary format.
 *
 * <p>Vocabulary: an image is of one {@link io.imgcast.manifest.ImageKind kind}. A <b>file-tree
 * image</b> is a list of {@link io.imgcast.manifest.Entry entries} (path, {@link
 * io.imgcast.manifest.EntryType type}, metadata, {@link io.imgcast.manifest.ChunkList chunk
 * list}); a <b>volume image</b> is a size and the {@link io.imgcast.manifest.Extent extents}
 * that hold data and the <b>unused</b> {@link io.imgcast.manifest.Span spans} (bytes no file
 * system uses: never written) — everything else is a <b>zero hole</b>. A file entry's
 * <b>holes</b> are a sparse file's unallocated spans. The format is defined in {@link
 * io.imgcast.manifest.ManifestFormat}. An image's <b>signature</b> ({@link
 * io.imgcast.manifest.ImageSignature}) covers its name, kind and the manifest's SHA-256. This
 * package depends on nothing of imgcast but chunk ids and codecs: {@code image} (capture,
 * apply), {@code store} and the deployment import it.
 */
package io.imgcast.manifest;
