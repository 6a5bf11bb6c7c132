package io.imgcast.api;

/** The answer to feedback: the stream (and its group) the machine should listen to, its state, and whether data flows yet. */
public record FeedbackReply(int stream, String group, MachineState state, boolean sending) {}
