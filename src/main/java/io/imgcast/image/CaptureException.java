package io.imgcast.image;

/** A capture that had to stop: the message names the source path and the cause. The store is untouched. */
public class CaptureException extends RuntimeException {
    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
