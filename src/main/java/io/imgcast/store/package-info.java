/**
 * The deduplicated store.
 *
 * <p>Vocabulary: a <b>pack</b> is an append-only file of chunk <b>records</b> ({@link
 * io.imgcast.store.PackFormat}); the <b>index</b> maps chunk ids to records; the <b>catalog</b>
 * lists images with their descriptive data and signed <b>manifest</b>; an <b>ingest</b> is one
 * write session that makes an image visible atomically at commit. <b>Unique bytes</b> of an
 * image are those of chunks no other image references. <b>gc</b> rewrites packs to drop chunks no
 * image references.
 */
package io.imgcast.store;
