package io.imgcast.api;

/**
 * A machine the server knows, by its MAC ({@code aa:bb:cc:dd:ee:ff}): its name, the image it
 * gets (null: its group's), its group (or null), the rule choosing its disk ({@code largest}
 * when null) and what it does afterwards ({@code reboot}, {@code poweroff}, {@code shell}; null:
 * nothing). {@code task} is what a network-booted machine does: {@code deploy} (null: the same)
 * or {@code capture NAME} (capture its disk into the store as image NAME); {@code fresh} (null:
 * false) receives with {@code --fresh} (the disk is not scanned for data already in place).
 * {@code POST /api/v1/admin/hosts}, and the rows of {@link HostList}.
 */
public record Host(String mac, String name, String image, String group, String disk, String then, String task, Boolean fresh) {
    /** A host with the default task (deploy), not fresh. */
    public Host(String mac, String name, String image, String group, String disk, String then) {
        this(mac, name, image, group, disk, then, null, null);
    }

    /** The task's word: {@code deploy} or {@code capture}. */
    public static final String DEPLOY = "deploy";
    public static final String CAPTURE = "capture";
}
