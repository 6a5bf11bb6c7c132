/**
 * The receiving machine: joins a server, receives datagrams into the pure {@link
 * io.imgcast.cast.BlockAssembler}, writes checked chunks to its {@link
 * io.imgcast.receiver.ChunkTarget target} (a directory: {@link io.imgcast.receiver.TreeTarget};
 * a device or file: {@link io.imgcast.receiver.VolumeTarget}), reports feedback and says done.
 *
 * <p>The parts, one mechanism each: {@link io.imgcast.receiver.CastReceiver} is the entry point
 * (configuration, result). The {@link io.imgcast.receiver.JoinLoop} runs a machine's life with its
 * server in {@link io.imgcast.receiver.JoinLoop.Phase phases} (join, manifest, scan, receive,
 * finish, verify), joins again when the server forgot it, and alone speaks the control API
 * ({@code ControlClient}); the others reach the server through a {@link
 * io.imgcast.receiver.ServerLink}. The {@link io.imgcast.receiver.ManifestCheck} checks the signed
 * manifest (and a live image's placements against it); {@link io.imgcast.receiver.TargetChoice}
 * picks the target. A <b>reception</b> ({@link io.imgcast.receiver.Reception}) runs the threads
 * of one receive around a {@link io.imgcast.receiver.SharedAssembler} (the assembler behind one
 * lock): the {@link io.imgcast.receiver.DatagramLoop} (socket thread), the {@link
 * io.imgcast.receiver.ChunkWriter} (decompress, hash, write), the {@link
 * io.imgcast.receiver.FeedbackLoop} (reports, keep-alive) and, for an image still being read, the
 * {@link io.imgcast.receiver.LiveFeed}.
 *
 * <p>Vocabulary: a <b>target</b> is scanned first for chunks it already holds (<b>delta</b> and
 * <b>resume</b>), written in place, then <b>finished</b> (metadata, links) and <b>read back</b>
 * against the signed manifest; a <b>fresh</b> target (a blank disk) is not scanned, and
 * <b>selected partitions</b> ({@link io.imgcast.receiver.TargetOptions}) are the only bytes of a
 * disk written. A <b>rejoin</b> follows a server that restarted and forgot the
 * machine: the machine joins its new session and resumes. A <b>live</b> image is one whose
 * master still reads it: its chunk table grows, and its <b>placements</b> (offset, chunk) are
 * checked against the signed manifest when the read ends. A <b>backlog</b> is data waiting in
 * the socket's kernel queue (blocks then only look incomplete, and feedback reports no
 * shortfall). A <b>stall</b> is a receive with neither data nor answers for the stall timeout.
 */
package io.imgcast.receiver;
