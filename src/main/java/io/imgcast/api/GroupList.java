package io.imgcast.api;

import java.util.List;

/** {@code GET /api/v1/admin/groups}. */
public record GroupList(List<HostGroup> groups) {}
