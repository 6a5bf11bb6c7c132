package io.imgcast.peer;

import java.util.Locale;

/**
 * Where a master's session stands, as it announces it (lower case on the wire, "reading"):
 * <b>reading</b> its source (nothing to join yet), <b>ready</b> (join now), <b>sending</b>
 * (late joiners catch up), <b>ended</b>.
 */
public enum Phase {
    READING, READY, SENDING, ENDED;

    /** Receivers may join. */
    public boolean joinable() {
        return this == READY || this == SENDING;
    }

    /** The wire name. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The phase with that wire name; an unknown name is an {@link IllegalArgumentException}. */
    public static Phase of(String wire) {
        for (Phase p : values()) if (p.toString().equals(wire)) return p;
        throw new IllegalArgumentException("unknown phase '" + wire + "'");
    }
}
