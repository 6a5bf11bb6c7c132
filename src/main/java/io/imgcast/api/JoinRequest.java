package io.imgcast.api;

/**
 * {@code POST /api/v1/join}: a machine asks for an image. {@code machine} defaults to the
 * caller's address, {@code priority} to 0; {@code mac}: the hardware address of the interface
 * it receives on (what a server that admits known machines looks up).
 */
public record JoinRequest(String machine, String image, Integer priority, String mac) {
    public JoinRequest(String machine, String image, Integer priority) {
        this(machine, image, priority, null);
    }
}
