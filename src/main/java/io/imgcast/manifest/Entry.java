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

    /**
     * The file offset of each chunk: chunks follow each other, skipping the holes; a chunk never
     * spans a hole (the capture chunks each data run on its own). Null if the chunks and holes do
     * not fit together that way.
     */
    public long[] chunkOffsets() {
        long[] out = new long[chunks.size()];
        long pos = 0;
        int h = 0;
        for (int i = 0; i < out.length; i++) {
            while (h < holes.size() && holes.get(h).offset() <= pos) {
                if (holes.get(h).offset() < pos) return null;
                pos = holes.get(h).end();
                h++;
            }
            out[i] = pos;
            pos += chunks.length(i);
            if (h < holes.size() && pos > holes.get(h).offset()) return null;
        }
        while (h < holes.size() && holes.get(h).offset() == pos) pos = holes.get(h++).end();
        return h == holes.size() && (type != EntryType.FILE || pos == size) ? out : null;
    }

    /** Bytes of the file held in its holes. */
    public long holeBytes() {
        long t = 0;
        for (Span s : holes) t += s.length();
        return t;
    }
}
