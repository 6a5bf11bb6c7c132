package io.imgcast.api;

/**
 * The answer to feedback: the stream (and its group) the machine should listen to, its state, and
 * whether data flows yet. A machine whose state is {@code failed} was failed by the server (its
 * session was cancelled): {@code reason} says why, and the machine stops.
 */
public record FeedbackReply(int stream, String group, MachineState state, boolean sending, String reason) {
    public FeedbackReply(int stream, String group, MachineState state, boolean sending) {
        this(stream, group, state, sending, null);
    }
}
