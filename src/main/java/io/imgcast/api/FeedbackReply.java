package io.imgcast.api;

/**
 * The answer to feedback: the stream (and its group) the machine should listen to, its state,
 * and whether data flows yet. When the server failed the machine (state {@code failed}: it
 * cannot serve a chunk the machine needs, or the machine's session was cancelled), {@code error}
 * says why; the receiver stops and reports it. Absent otherwise.
 */
public record FeedbackReply(int stream, String group, MachineState state, boolean sending, String error) {
    public FeedbackReply(int stream, String group, MachineState state, boolean sending) {
        this(stream, group, state, sending, null);
    }
}
