package io.imgcast.api;

import java.util.Locale;

/**
 * Where a machine on the server's list stands; written in lower case on the wire ("joining").
 * A machine <b>joins</b>, reports its needs (then it is <b>receiving</b>, or <b>verifying</b>
 * when it needs nothing), and ends <b>done</b> or <b>failed</b> by its own word, <b>lost</b> when
 * silent too long, or <b>rejoined</b> when the same machine joined again. A machine that cannot
 * take part is listed as <b>refused</b>.
 */
public enum MachineState {
    JOINING, RECEIVING, VERIFYING, LOST, DONE, FAILED, REJOINED, REFUSED;

    /** Still taking part: the server sends for it and expects to hear from it. */
    public boolean active() {
        return this == JOINING || this == RECEIVING || this == VERIFYING;
    }

    /** The wire name. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
