package io.imgcast.api;

/**
 * A machine the server knows, by its MAC ({@code aa:bb:cc:dd:ee:ff}): its name, the image it
 * gets (null: its group's), its group (or null), the rule choosing its disk ({@code largest}
 * when null) and what it does afterwards ({@code reboot}, {@code poweroff}, {@code shell}; null:
 * nothing). {@code POST /api/v1/admin/hosts}, and the rows of {@link HostList}.
 */
public record Host(String mac, String name, String image, String group, String disk, String then) {}
