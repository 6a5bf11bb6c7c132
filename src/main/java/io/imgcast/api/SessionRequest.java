package io.imgcast.api;

import java.util.List;

/**
 * {@code POST /api/v1/admin/sessions}: start these groups together (or add them to the running
 * session); with {@code at} (ISO-8601, e.g. {@code 2026-12-08T07:30:00Z}) at that time instead
 * of now: the session is listed as scheduled until then.
 */
public record SessionRequest(List<String> groups, String at) {
    /** Start now. */
    public SessionRequest(List<String> groups) {
        this(groups, null);
    }
}
