package io.imgcast.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A shared/exclusive lock on a file, valid across processes (fcntl locks) and across threads of
 * this JVM (a read-write lock in front, since fcntl locks are per process).
 */
public final class StoreLock {
    private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();

    private static final class Holder {
        final ReentrantReadWriteLock rw = new ReentrantReadWriteLock(true);
        FileChannel channel;
        FileLock fileLock;
        int users;
    }

    /** A held lock; close releases it. */
    public interface Held extends AutoCloseable {
        @Override void close();
    }

    private StoreLock() {}

    static Held acquire(Path file, boolean shared, Duration wait, String busyMessage) {
        Holder h = HOLDERS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new Holder());
        long deadline = System.nanoTime() + wait.toNanos();
        var jvmLock = shared ? h.rw.readLock() : h.rw.writeLock();
        try {
            if (!jvmLock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) throw new StoreException(busyMessage);
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
            jvmLock.unlock();
            throw new StoreException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            jvmLock.unlock();
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the store lock");
        } catch (RuntimeException e) {
            jvmLock.unlock();
            throw e;
        }
        return () -> {
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
            jvmLock.unlock();
        };
    }
}
