/**
 * Peer-to-peer and client/server disk imaging (P1–P3): the master modes that need no server,
 * and the relay.
 *
 * <p>Vocabulary: a <b>master</b> sends one image to its <b>receivers</b>; it <b>announces</b>
 * the session ({@link io.imgcast.peer.Announce}: session id, kind, sizes, chunk count, the
 * disk's <b>layout</b> or geometry, and where its control API listens) on the announce group
 * every half second. A receiver <b>discovers</b> it ({@link io.imgcast.peer.Discovery}), checks
 * its target is <b>compatible</b>, and either <b>joins</b> (the RSVP: the control API's join and
 * needs, answered by the master — its acknowledgement) or <b>refuses</b> with the reason. The
 * master <b>starts</b> when the expected number joined, on the operator's word (Enter, SIGUSR1)
 * or after the wait; it <b>lingers</b> for late receivers once all finished, then announces the
 * <b>end</b>; each receiver's <b>goodbye</b> is its done report with its result. The master's
 * {@link io.imgcast.peer.Phase} (reading, ready, sending, ended) is what it announces; its
 * session ({@code MasterSession}) steps through them with time passed in.
 *
 * <p>Trust: the master's <b>key</b> ({@link io.imgcast.peer.MasterKey}; a file made by
 * {@code imgcast keygen}, or fresh per session) signs its announcements, block directories, table
 * slices and manifest; its <b>fingerprint</b> is the SHA-256 of the public key in hex. A receiver
 * <b>pinned</b> to a fingerprint ({@code --master-key}) heeds no other master; unpinned it
 * <b>trusts the first</b> master it joins and follows no other key for the session. The
 * master's control API speaks TLS with a certificate of the same key, and the receiver pins
 * the connection to the key the announcement named, so the join reply's keys and token reach
 * no one else ({@code --insecure-http} on both sides: plain HTTP, a lab only).
 *
 * <p>The data moves with the multicast engine of {@code io.imgcast.cast} unchanged: a master is
 * a {@link io.imgcast.server.CastServer} over an {@link io.imgcast.server.ImageCatalog}, a receiver
 * is a {@link io.imgcast.receiver.CastReceiver}. The catalogs: {@link io.imgcast.peer.SourceCatalog}
 * (mode 3: the master's own disk, partition or directory read once, compressed chunks held in
 * memory up to a budget and read again from the source beyond it; no store, no image file; a
 * volume is <b>live</b> while it is read — its {@link io.imgcast.cast.LiveTable} grows and is
 * sent as it grows),
 * {@code SourceCatalog} with a {@link io.imgcast.peer.CaptureTee} (mode 2: the same single read,
 * each chunk also put into a store's write session), {@code StoreCatalog} (mode 5 while applying) and
 * {@link io.imgcast.peer.RelayCatalog} (a relay's store, filled from the upstream server
 * through a {@link io.imgcast.peer.StoreTarget}).
 */
package io.imgcast.peer;
