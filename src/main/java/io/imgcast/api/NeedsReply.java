package io.imgcast.api;

/** The answer to a needs report: how many chunks and bytes of it the server will send. */
public record NeedsReply(int neededChunks, long neededBytes) {}
