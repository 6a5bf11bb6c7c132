/**
 * Trust on the control plane.
 *
 * <p>Vocabulary:
 * <ul>
 * <li><b>identity</b> ({@link io.imgcast.trust.Identity}): a server's Ed25519 key pair (a store's
 *     key, a peer master's key) and a self-signed certificate made from it; TLS and the
 *     manifests' signatures use the same key.
 * <li><b>fingerprint</b>: SHA-256 of the public key's X.509 encoding, 64 hex digits; what
 *     {@code serve} prints and {@code status} shows.
 * <li><b>pin</b> ({@link io.imgcast.trust.Pin}): at least 16 leading hex digits of a fingerprint
 *     that a client requires ({@code --server-key}, {@code --image-key}); without one a receiver
 *     trusts the first key it sees (<b>trust on first use</b>) and says so. A peer receiver pins
 *     the key its master's signed announcement names ({@link io.imgcast.trust.ClientTrust#peer}).
 * <li><b>token</b> ({@link io.imgcast.trust.Tokens}): a machine's, issued at its join and required
 *     on its own later requests; the admin's, in a root-only file.
 * <li><b>admission</b> ({@link io.imgcast.trust.Admission}): which machines a server serves,
 *     anyone or known ones.
 * </ul>
 */
package io.imgcast.trust;
