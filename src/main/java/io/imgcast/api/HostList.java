package io.imgcast.api;

import java.util.List;

/** {@code GET /api/v1/admin/hosts}: every known machine by name, and the rule for unknown ones. */
public record HostList(List<Host> hosts, String unknownDefault) {}
