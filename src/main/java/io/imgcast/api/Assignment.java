package io.imgcast.api;

/**
 * {@code GET /api/v1/assignment?mac=MAC}: what a machine should do. {@code action} is
 * {@code image} (receive {@code image} onto the disk {@code disk} chooses, then do {@code then}),
 * {@code nothing} (boot the local disk) or {@code ignore} (the server does not serve this machine);
 * {@code reason} says why, for the machine's console.
 */
public record Assignment(String action, String mac, String name, String image, String disk, String then, String group,
                         String reason) {
    public static final String IMAGE = "image";
    public static final String NOTHING = "nothing";
    public static final String IGNORE = "ignore";
}
