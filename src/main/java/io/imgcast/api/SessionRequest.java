package io.imgcast.api;

import java.util.List;

/** {@code POST /api/v1/admin/sessions}: start these groups together (or add them to the running session). */
public record SessionRequest(List<String> groups) {}
