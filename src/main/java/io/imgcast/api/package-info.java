/**
 * The control API's messages: what a machine and a server (or a peer master) say to each other
 * over HTTP, as records, and the one JSON mapping both sides use ({@link io.imgcast.api.ControlJson}).
 *
 * <p>Vocabulary: a <b>machine</b> joins ({@link io.imgcast.api.JoinRequest} →
 * {@link io.imgcast.api.JoinReply}) or refuses to take part ({@link io.imgcast.api.RefuseRequest});
 * it reports its needs ({@link io.imgcast.api.NeedsReply}) and feedback
 * ({@link io.imgcast.api.FeedbackReply}) and says when it is done
 * ({@link io.imgcast.api.DoneRequest}); the server's {@link io.imgcast.api.Status} lists its
 * streams and machines, each machine in a {@link io.imgcast.api.MachineState}. Record components
 * are camelCase in Java and snake_case on the wire ({@code machineId} ↔ {@code machine_id}),
 * written in declaration order, absent when null. The binary bodies (needs bitmaps, feedback,
 * tables, manifests) are described in {@code io.imgcast.cast}.
 *
 * <p>The inventory and sessions: a machine asks what to do by its MAC ({@link io.imgcast.api.Assignment});
 * an operator manages {@link io.imgcast.api.Host}s ({@link io.imgcast.api.HostList}),
 * {@link io.imgcast.api.HostGroup}s ({@link io.imgcast.api.GroupList}) and
 * {@link io.imgcast.api.Session}s ({@link io.imgcast.api.SessionRequest}, {@link io.imgcast.api.SessionList})
 * under {@code /api/v1/admin/}.
 */
package io.imgcast.api;
