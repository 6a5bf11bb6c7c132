package io.imgcast.api;

/** {@code POST /api/v1/refuse}: a machine that cannot take part says why; it is listed as refused. */
public record RefuseRequest(String machine, String image, String reason) {}
