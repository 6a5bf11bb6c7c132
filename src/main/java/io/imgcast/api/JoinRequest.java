package io.imgcast.api;

/**
 * {@code POST /api/v1/join}: a machine asks for an image. {@code machine} defaults to the
 * caller's address, {@code priority} to 0.
 */
public record JoinRequest(String machine, String image, Integer priority) {}
