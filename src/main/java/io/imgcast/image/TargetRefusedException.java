package io.imgcast.image;

/**
 * Apply refused its target before writing anything: a mounted or otherwise exclusively held
 * device, a file another process holds a lock on, or a file the image would shrink. {@code --force}
 * skips these checks.
 */
public final class TargetRefusedException extends ApplyException {
    public TargetRefusedException(String message) {
        super(message);
    }
}
