package io.imgcast.image;

import io.imgcast.util.Posix;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Refuses a volume target someone else is using, and holds it while apply writes: a block device
 * is opened with O_EXCL (the kernel refuses a mounted or claimed device, and no one can mount or
 * claim it while held); an existing file must carry no lock of another process (flock(2) or
 * fcntl(2), both probed; the flock is held) and must not be larger than the image, which would
 * truncate it. {@code --force} skips the guard.
 */
public final class TargetGuard implements AutoCloseable {
    /** No guard: what {@code --force} uses. */
    public static final TargetGuard NONE = new TargetGuard(null);

    private final Posix.Held held;

    private TargetGuard(Posix.Held held) {
        this.held = held;
    }

    /** Checks {@code target} for a volume image of {@code volumeSize} bytes; throws {@link TargetRefusedException}. */
    public static TargetGuard acquire(Path target, long volumeSize) {
        try {
            if (VolumeWriter.isDevice(target)) {
                try {
                    return new TargetGuard(Posix.openExclusive(target));
                } catch (Posix.PosixException e) {
                    if (e.errno() != Posix.EBUSY) throw e;
                    throw new TargetRefusedException("target device " + target + " is in use (mounted, or held by another program);"
                            + " unmount it first ('findmnt " + target + "', 'lsblk " + target + "'), or apply with --force");
                }
            }
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) return NONE; // a new file, or checkTarget refuses it
            long size = Files.size(target);
            if (size > volumeSize) {
                throw new TargetRefusedException("target file " + target + " holds " + size + " bytes, more than the image's "
                        + volumeSize + ": applying would shrink it; choose a new file, or apply with --force");
            }
            Posix.Held flock = Posix.tryFlock(target);
            if (flock == null) throw busy(target, "flock");
            try {
                if (fcntlLocked(target)) throw busy(target, "fcntl");
            } catch (RuntimeException | IOException e) {
                flock.close();
                throw e;
            }
            return new TargetGuard(flock);
        } catch (IOException e) {
            throw new ApplyException("cannot check target " + target + ": " + e.getMessage(), e);
        }
    }

    private static TargetRefusedException busy(Path target, String kind) {
        return new TargetRefusedException("target file " + target + " is locked by another process (" + kind + " lock);"
                + " 'fuser -v " + target + "' shows who has it open; stop it first, or apply with --force");
    }

    /** Does another process (or this JVM) hold a POSIX record lock on the file? */
    private static boolean fcntlLocked(Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) return true;
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        }
    }

    @Override
    public void close() {
        if (held != null) held.close();
    }
}
