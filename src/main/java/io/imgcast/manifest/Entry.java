package io.imgcast.manifest;

import io.imgcast.util.Posix.Xattr;

import java.util.List;

/**
 * One entry of a file-tree image. {@code path} is relative with '/' separators ("" is the root).
 * {@code mode} holds the 12 permission bits; {@code target} is a symlink's target or, for a
 * hard link, the path of the entry it links to; {@code rdev} is a device node's number.
 * {@code holes} are a sparse file's unallocated ranges (sorted, disjoint, inside {@code size}):
 * they read as zeros and are not stored; {@code chunks} hold the bytes outside them, in order.
 */
public record Entry(String path, EntryType type, int mode, int uid, int gid, long atimeNs, long mtimeNs,
                    long size, String target, long rdev, List<Xattr> xattrs, ChunkList chunks, List<Span> holes) {
    public Entry {
        holes = holes == null ? List.of() : List.copyOf(holes);
    }

    /** An entry without holes. */
    public Entry(String path, EntryType type, int mode, int uid, int gid, long atimeNs, long mtimeNs,
                 long size, String target, long rdev, List<Xattr> xattrs, ChunkList chunks) {
        this(path, type, mode, uid, gid, atimeNs, mtimeNs, size, target, rdev, xattrs, chunks, List.of());
    }

    public Entry withChunks(ChunkList c) {
        return new Entry(path, type, mode, uid, gid, atimeNs, mtimeNs, size, target, rdev, xattrs, c, holes);
    }

    public Entry withHoles(List<Span> h) {
        return new Entry(path, type, mode, uid, gid, atimeNs, mtimeNs, size, target, rdev, xattrs, chunks, h);
    }

    /** Bytes of the file held in its holes. */
    public long holeBytes() {
        long t = 0;
        for (Span s : holes) t += s.length();
        return t;
    }
}
