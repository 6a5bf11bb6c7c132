package io.imgcast.api;

import java.util.List;

/**
 * A group of machines: its image (for members without their own), its readiness ({@code expect}
 * members in, or {@code waitSeconds} after the session started; null: at once), and (when listed)
 * its members' names.
 */
public record HostGroup(String name, String image, Integer expect, Integer waitSeconds, List<String> members) {}
