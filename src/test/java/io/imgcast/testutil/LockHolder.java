package io.imgcast.testutil;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child process for tests: {@code LockHolder FILE READY} takes a POSIX record lock (fcntl, as
 * Java's FileChannel.lock does) on FILE, creates READY, and holds the lock until it is killed
 * (at most 300 s).
 */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE); var lock = ch.lock()) {
            Files.createFile(Path.of(args[1]));
            Thread.sleep(300_000);
        }
    }
}
