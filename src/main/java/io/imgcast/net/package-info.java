/**
 * Sockets at the edge: multicast sockets bound to one interface. Logic that decides what to send
 * or keep lives in {@code io.imgcast.cast}; this package only moves datagrams.
 *
 * <p>Vocabulary: a <em>batch</em> is what one system call moves (recvmmsg: up to 32 messages;
 * sendmmsg: up to 40 datagrams). A <em>segmented send</em> (UDP_SEGMENT, generic segmentation
 * offload) is one message of equal-sized datagrams that the kernel or the NIC cuts apart; a
 * <em>coalesced receive</em> (UDP_GRO) is the reverse, split again here. <em>Kernel drops</em> are
 * datagrams the kernel discarded because the socket's receive buffer was full (SO_RXQ_OVFL), not
 * network loss. {@link io.imgcast.net.DatagramIn} and {@link io.imgcast.net.DatagramOut} are what
 * callers use; {@link io.imgcast.net.McastSocket} picks the batched implementation (the
 * foreign-function calls of {@code Libc}) or the JDK's channels where that is not available.
 */
package io.imgcast.net;
