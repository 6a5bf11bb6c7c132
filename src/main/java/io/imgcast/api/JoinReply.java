package io.imgcast.api;

/**
 * The answer to a join: the session, the machine's id on the list, the image's kind and, for
 * an image still being read ({@code live}), its volume's size, or else its chunk count and
 * manifest size; the stream to listen to and the bytes of data per datagram.
 */
public record JoinReply(int session, int machineId, String image, String kind, Boolean live, Long volumeSize,
                        Integer chunks, Integer manifestBytes, int stream, String group, Integer symbolSize) {
    /** True for an image still being read when the machine joined. */
    public boolean liveImage() {
        return Boolean.TRUE.equals(live);
    }
}
