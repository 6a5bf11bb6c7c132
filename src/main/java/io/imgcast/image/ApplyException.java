package io.imgcast.image;

/** Applying an image failed; the message says where and what to do. */
public class ApplyException extends RuntimeException {
    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }

    public ApplyException(String message) {
        super(message);
    }
}
