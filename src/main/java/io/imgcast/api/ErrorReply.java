package io.imgcast.api;

/** An error answer (any status but 2xx): why, and whether trying again later may succeed. */
public record ErrorReply(String error, Boolean retry) {
    public ErrorReply(String error) {
        this(error, null);
    }
}
