/**
 * Capture and apply of images (their manifests are in {@code io.imgcast.manifest}).
 *
 * <p>Vocabulary: a <b>file-tree image</b> is a list of {@link io.imgcast.manifest.Entry entries}
 * (path, type, metadata, chunk list); a <b>volume image</b> is a size and the
 * {@link io.imgcast.manifest.Extent extents} that hold data — everything else is a <b>hole</b>
 * (zero), neither stored nor sent. The <b>manifest</b> is the image's full description
 * ({@link io.imgcast.manifest.ManifestFormat}); <b>capture</b> turns a source into chunks and a
 * manifest; <b>apply</b> rebuilds the source from them. A <b>target guard</b>
 * ({@link io.imgcast.image.TargetGuard}) keeps apply off a volume target someone else uses.
 */
package io.imgcast.image;
