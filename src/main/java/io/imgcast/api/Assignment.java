package io.imgcast.api;

/**
 * {@code GET /api/v1/assignment?mac=MAC}: what a machine should do. {@code action} is
 * {@code image} (receive {@code image} onto the disk {@code disk} chooses, then do {@code then};
 * {@code fresh}: with {@code --fresh}), {@code capture} (capture the disk {@code disk} chooses into
 * the server's store as the new image {@code image}, authorised by the one-time {@code token}
 * bound to this MAC), {@code menu} (an unknown machine: offer the console menu), {@code nothing}
 * (boot the local disk) or {@code ignore} (the server does not serve this machine); {@code reason}
 * says why, for the machine's console. The fields added with network boot are null, and left out
 * of the JSON, for the older actions.
 */
public record Assignment(String action, String mac, String name, String image, String disk, String then, String group,
                         String reason, Boolean fresh, String token) {
    public static final String IMAGE = "image";
    public static final String NOTHING = "nothing";
    public static final String IGNORE = "ignore";
    public static final String CAPTURE = "capture";
    public static final String MENU = "menu";

    public Assignment(String action, String mac, String name, String image, String disk, String then, String group, String reason) {
        this(action, mac, name, image, disk, then, group, reason, null, null);
    }

    /** This assignment with the capture token {@code t}. */
    public Assignment withToken(String t) {
        return new Assignment(action, mac, name, image, disk, then, group, reason, fresh, t);
    }
}
