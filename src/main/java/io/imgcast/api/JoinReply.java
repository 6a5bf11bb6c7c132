package io.imgcast.api;

/**
 * The answer to a join: the session, the machine's id on the list, the image's kind and, for
 * an image still being read ({@code live}), its volume's size, or else its chunk count and
 * manifest size; the stream to listen to and the bytes of data per datagram; the machine's
 * {@code token}, which its later requests must carry (header {@code X-Imgcast-Token}).
 */
public record JoinReply(int session, int machineId, String image, String kind, Boolean live, Long volumeSize,
                        Integer chunks, Integer manifestBytes, int stream, String group, Integer symbolSize, String token) {
    /** A reply without a token (a server that issues none). */
    public JoinReply(int session, int machineId, String image, String kind, Boolean live, Long volumeSize,
                     Integer chunks, Integer manifestBytes, int stream, String group, Integer symbolSize) {
        this(session, machineId, image, kind, live, volumeSize, chunks, manifestBytes, stream, group, symbolSize, null);
    }

    /** True for an image still being read when the machine joined. */
    public boolean liveImage() {
        return Boolean.TRUE.equals(live);
    }
}
