package io.imgcast.api;

import java.util.List;

/** {@code GET /api/v1/admin/sessions}, newest first. */
public record SessionList(List<Session> sessions) {}
