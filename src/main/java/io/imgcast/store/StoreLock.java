package io.imgcast.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A shared/exclusive lock on a file, valid across processes (fcntl locks) and across threads of
 * this JVM (a read-write lock in front, since fcntl locks are per process).
 */
public final class StoreLock {
    private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();

    private static final class Holder {
        int readers;
        boolean writer;
        FileChannel channel;
        FileLock fileLock;
        int users;

        /** Waits for the in-JVM side of the lock; may be released from any thread. */
        synchronized boolean enter(boolean shared, long deadlineNs) throws InterruptedException {
            while (writer || (!shared && readers > 0)) {
                long left = deadlineNs - System.nanoTime();
                if (left <= 0) return false;
                wait(Math.max(1, left / 1_000_000));
            }
            if (shared) readers++;
            else writer = true;
            return true;
        }

        synchronized void leave(boolean shared) {
            if (shared) readers--;
            else writer = false;
            notifyAll();
        }
    }

    /** A held lock; close releases it. */
    public interface Held extends AutoCloseable {
        @Override void close();
    }

    private StoreLock() {}

    static Held acquire(Path file, boolean shared, Duration wait, String busyMessage) {
        Holder h = HOLDERS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new Holder());
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            if (!h.enter(shared, deadline)) throw new StoreException(busyMessage);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store lock");
        }
        try {
            synchronized (h) {
                if (h.users == 0) {
                    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    FileLock fl = null;
                    while (true) {
                        fl = ch.tryLock(0, Long.MAX_VALUE, shared);
                        if (fl != null || System.nanoTime() > deadline) break;
                        Thread.sleep(50);
                    }
                    if (fl == null) {
                        ch.close();
                        throw new StoreException(busyMessage);
                    }
                    h.channel = ch;
                    h.fileLock = fl;
                }
                h.users++;
            }
        } catch (IOException e) {
            h.leave(shared);
            throw new StoreException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            h.leave(shared);
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store lock");
        } catch (RuntimeException e) {
            h.leave(shared);
            throw e;
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) return;
            synchronized (h) {
                if (--h.users == 0) {
                    try {
                        h.fileLock.release();
                        h.channel.close();
                    } catch (IOException ignored) {
                        // closing the channel releases the lock in any case
                    }
                    h.fileLock = null;
                    h.channel = null;
                }
            }
            h.leave(shared);
        };
    }
}
