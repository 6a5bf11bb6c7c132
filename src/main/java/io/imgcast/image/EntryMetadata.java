package io.imgcast.image;

import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.util.Posix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Applies one entry's metadata to what already exists at its path: ownership (root only),
 * extended attributes, the 12 mode bits (not on symlinks) and nanosecond times, in the order
 * that keeps them: chown first, since it clears security.capability and setuid/setgid; times last.
 */
public final class EntryMetadata {
    private EntryMetadata() {}

    public static void apply(Path p, Entry e, boolean root, Consumer<String> warn) throws IOException {
        if (root) Posix.lchown(p, e.uid(), e.gid());
        for (Posix.Xattr x : e.xattrs()) {
            try {
                Posix.setXattr(p, x.name(), x.value());
            } catch (Posix.PosixException ex) {
                if (root && ex.errno() != Posix.ENOTSUP) throw ex;
                warn.accept("extended attribute " + x.name() + " of " + e.path() + " not set: " + ex.getMessage());
            }
        }
        if (e.type() != EntryType.SYMLINK) Posix.chmod(p, e.mode());
        Posix.setTimes(p, e.atimeNs(), e.mtimeNs());
    }
}
