/**
 * Sockets at the edge: multicast channels bound to one interface. Logic that decides what to send
 * or keep lives in {@code io.imgcast.cast}; this package only moves datagrams.
 */
package io.imgcast.net;
