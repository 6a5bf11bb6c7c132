package io.imgcast.api;

import java.util.List;

/**
 * A session: the machines one scheduler serves, admitted from the {@code groups} started together.
 * {@code state}: waiting (for its groups' readiness), running, stopped (admits no one new),
 * cancelled, or ended. Times are ISO-8601 UTC; {@code machines} only when one session is shown.
 */
public record Session(long id, List<String> groups, String state, String started, String ended, List<Result> machines) {
    /** One machine's part in the session: its last known state and, once finished, its result. */
    public record Result(String mac, String name, String image, String state, Double seconds, Long bytes, String error) {}
}
