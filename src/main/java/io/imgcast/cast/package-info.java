/**
 * The multicast deployment protocol, pure: packets, feedback and {@code nowNs} in, decisions out.
 * No sockets, files or clocks here; the server ({@code io.imgcast.server}) and the receiver
 * ({@code io.imgcast.receiver}) drive it.
 *
 * <p>Vocabulary: a <b>session</b> is one server run (a random id on every datagram); a
 * <b>machine</b> is a receiver on the server's list, wanting one image, with a <b>priority</b>;
 * a <b>stream</b> is one multicast group with its own rate and scheduler. Data travels in
 * <b>blocks</b>: the stored payloads of several chunks cut into k <b>symbols</b>; <b>repair
 * symbols</b> (Reed-Solomon) heal any k-of-n losses. A <b>burst</b> is one send of a block's
 * directory and some of its symbols. <b>Feedback</b> tells the server which chunks a machine
 * completed and how many symbols it lacks per block; <b>done</b> takes it off the list.
 * A machine's image has a <b>chunk table</b> ({@link io.imgcast.cast.ChunkTable}) that needs
 * bitmaps and completions index; a <b>live</b> table ({@link io.imgcast.cast.LiveTable}) grows
 * while the master still reads its source, and its needs pass a <b>barrier</b>
 * ({@link io.imgcast.cast.TableBarrier}) so that no chunk leaves before the machines that keep up
 * know it.
 * The wire format is defined in {@link io.imgcast.cast.Wire}.
 */
package io.imgcast.cast;
