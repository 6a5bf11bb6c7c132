/**
 * Capture and apply of images (their manifests are in {@code io.imgcast.manifest}).
 *
 * <p>Vocabulary: a <b>file-tree image</b> is a list of {@link io.imgcast.manifest.Entry entries}
 * (path, type, metadata, chunk list); a <b>volume image</b> is a size and the
 * {@link io.imgcast.manifest.Extent extents} that hold data, the <b>unused</b> spans its file
 * system does not use (free blocks, partitions left out: never written on apply) — everything
 * else is a <b>zero hole</b> (zero), neither stored nor sent. A <b>file-system-aware</b> capture
 * ({@link io.imgcast.image.UsedBlocks}) reads only the <b>used blocks</b>; on a <b>whole disk</b>
 * (a partition table) each partition's ({@code DiskUsedBlocks}), the table and gaps whole. A <b>fresh</b> target
 * is a blank disk or file written in place. A <b>sparse file</b> in a tree keeps its holes. The <b>manifest</b> is the image's full description
 * ({@link io.imgcast.manifest.ManifestFormat}); <b>capture</b> turns a source into chunks and a
 * manifest; <b>apply</b> rebuilds the source from them. A <b>target guard</b>
 * ({@link io.imgcast.image.TargetGuard}) keeps apply off a volume target someone else uses.
 */
package io.imgcast.image;
