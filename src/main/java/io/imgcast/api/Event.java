package io.imgcast.api;

import java.util.Locale;

/**
 * One thing that happened on a server, as the log, the state's history and the console show it.
 * {@code atMs}: milliseconds since the epoch; {@code session}: the state's session id (0: outside
 * a session the admin started); {@code machine}, {@code image}, {@code stream} and
 * {@code detail} (a reason, a new stream, a summary) when they apply.
 */
public record Event(long atMs, Kind kind, long session, String machine, String image, Integer stream, String detail) {
    /** What happened; lower case with dashes on the wire ({@code moved-stream}). */
    public enum Kind {
        SESSION_STARTED, SESSION_ENDED, JOINED, MOVED_STREAM, LOST, REJOINED, DONE, FAILED, REFUSED, REMOVED, RATE_CHANGED;

        /** Whether the event ends a machine's part (it leaves the live list). */
        public boolean finishes() {
            return this == LOST || this == DONE || this == FAILED || this == REFUSED || this == REMOVED;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The kind with that wire name; an {@link IllegalArgumentException} for any other. */
        public static Kind of(String wire) {
            for (Kind k : values()) if (k.toString().equals(wire)) return k;
            throw new IllegalArgumentException("no event kind '" + wire + "'");
        }
    }
}
