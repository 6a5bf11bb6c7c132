/**
 * Images and their manifests: capture and apply.
 *
 * <p>Vocabulary: a <b>file-tree image</b> is a list of {@link io.imgcast.image.Entry entries}
 * (path, type, metadata, chunk list); a <b>volume image</b> is a size and the
 * {@link io.imgcast.image.Extent extents} that hold data — everything else is a <b>hole</b>
 * (zero), neither stored nor sent. The <b>manifest</b> is the image's full description
 * ({@link io.imgcast.image.ManifestFormat}); <b>capture</b> turns a source into chunks and a
 * manifest; <b>apply</b> rebuilds the source from them.
 */
package io.imgcast.image;
