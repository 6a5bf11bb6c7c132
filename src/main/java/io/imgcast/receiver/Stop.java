package io.imgcast.receiver;

import java.util.concurrent.atomic.AtomicReference;

/**
 * How the threads of one receive learn to end: the join loop stops them when the image is in, or
 * one of them fails (the first failure is kept; the others end on seeing it).
 */
final class Stop {
    private volatile boolean running = true;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    boolean running() {
        return running;
    }

    /** Running and nothing failed. */
    boolean going() {
        return running && failure.get() == null;
    }

    void stop() {
        running = false;
    }

    /** Records a failure unless one came first. */
    void fail(Throwable t) {
        failure.compareAndSet(null, t);
    }

    Throwable failure() {
        return failure.get();
    }

    /** Sleeps; an interrupt ends the sleep and stays set for the caller's loop to see. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
