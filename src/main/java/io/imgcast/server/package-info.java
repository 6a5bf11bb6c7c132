/**
 * The deployment server: the control API over HTTP, the list of machines, and the stream
 * senders that put the pure {@link io.imgcast.cast.Scheduler}'s bursts on the wire.
 *
 * <p>Vocabulary: the server serves an {@link io.imgcast.server.ImageCatalog} (a store's images
 * through {@link io.imgcast.server.StoreCatalog}, or a peer master's source); a <b>machine</b>
 * joins for one image and leaves with <b>done</b>; the <b>roster</b> ({@code Roster}) lists the
 * machines and moves each through its {@link io.imgcast.api.MachineState}; the <b>start gate</b>
 * ({@code StartGate}) holds data until enough machines joined or the wait ran out; the
 * <b>control API</b> ({@code ControlApi}) is the HTTP side, speaking the messages of
 * {@code io.imgcast.api} over TLS with the server's {@link io.imgcast.trust.Identity} (see
 * {@code io.imgcast.trust} for tokens and admission); a <b>repair budget</b> ({@code RepairBudget})
 * bounds the repair one machine's reports may demand; {@code Names} bounds what a machine may put
 * on the list; a <b>stream sender</b> paces one multicast stream.
 * With a state, the <b>admin API</b> ({@code AdminApi}) serves the inventory and the current
 * <b>session</b> ({@code Sessions}: the groups started together, their readiness, stop and
 * cancel), answers network boot's question whether a machine boots imgcast or its disk (its
 * <b>boot plan</b>), and hands a capturing machine a one-time <b>capture token</b> for the
 * <b>capture intake</b> ({@code CaptureIntake}: chunks sent over the network, each decoded and
 * hashed before it is stored). Every change of a machine or a session is an <b>event</b> ({@link io.imgcast.api.Event},
 * told by {@link io.imgcast.server.Events} to its sinks: the log, {@link io.imgcast.server.EventLog};
 * the state's history; the admin console, whose routes {@code ServerConsole} registers);
 * {@link io.imgcast.server.Metrics} writes the counters for {@code /metrics}.
 * {@link io.imgcast.server.CastServer} composes them. The protocol itself (wire, feedback,
 * scheduling) lives in {@code io.imgcast.cast}.
 */
package io.imgcast.server;
