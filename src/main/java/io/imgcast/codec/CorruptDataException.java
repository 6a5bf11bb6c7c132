package io.imgcast.codec;

/** Data failed a structural or integrity check: never to be written anywhere. */
public class CorruptDataException extends RuntimeException {
    public CorruptDataException(String message) {
        super(message);
    }
}
