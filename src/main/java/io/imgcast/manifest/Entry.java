package io.imgcast.manifest;

import io.imgcast.util.Posix.Xattr;

import java.util.List;

/**
 * One entry of a file-tree image. {@code path} is relative with '/' separators ("" is the root).
 * {@code mode} holds the 12 permission bits; {@code target} is a symlink's target or, for a
 * hard link, the path of the entry it links to; {@code rdev} is a device node's number.
 */
public record Entry(String path, EntryType type, int mode, int uid, int gid, long atimeNs, long mtimeNs,
                    long size, String target, long rdev, List<Xattr> xattrs, ChunkList chunks) {
    public Entry withChunks(ChunkList c) {
        return new Entry(path, type, mode, uid, gid, atimeNs, mtimeNs, size, target, rdev, xattrs, c);
    }
}
