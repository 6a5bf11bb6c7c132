package io.imgcast.store;

import io.imgcast.manifest.ImageKind;


/**
 * The descriptive data of one image in the store (SPEC S1): everything but the manifest itself.
 * {@code created} is milliseconds since the epoch; {@code chunks} counts distinct chunks.
 */
public record ImageInfo(long id, String name, ImageKind kind, String description, String flags, long created,
                        String userInfo, long files, long dirs, long bytes, long chunks, long storedBytes) {}
