/**
 * The receiving machine: joins a server, receives datagrams into the pure {@link
 * io.imgcast.cast.BlockAssembler}, writes checked chunks to its {@link
 * io.imgcast.receiver.ChunkTarget target} (a directory: {@link io.imgcast.receiver.TreeTarget};
 * a device or file: {@link io.imgcast.receiver.VolumeTarget}), reports feedback and says done.
 *
 * <p>Vocabulary: a <b>target</b> is scanned first for chunks it already holds (<b>delta</b> and
 * <b>resume</b>), written in place, then <b>finished</b> (metadata, links) and <b>read back</b>
 * against the signed manifest.
 */
package io.imgcast.receiver;
