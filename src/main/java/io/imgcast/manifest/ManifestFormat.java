package io.imgcast.manifest;

import com.github.luben.zstd.Zstd;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.util.Posix.Xattr;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest byte format, version 2 (version 1 still decodes: it is version 2 without the
 * "holes" and "unused" lists). The stored form is one zstd frame holding:
 *
 * <pre>
 *   magic    "IMGCASTM" (8 bytes)
 *   version  u8 = 2
 *   kind     u8: 1 file tree, 2 volume
 *   chunks   varint n, then n x (id: 32 bytes, raw length: varint)      -- the chunk table
 *   tree:    varint count, then per entry:
 *              path: string, type: u8 (EntryType.code), mode: varint, uid: varint, gid: varint,
 *              atime ns: zigzag varint, mtime ns: zigzag varint, size: varint,
 *              target: string ("" if none), rdev: varint,
 *              xattrs: varint count x (name: string, value: varint length + bytes),
 *              chunks: varint count x (index into the chunk table: varint),
 *              holes (v2): varint count x (offset: varint, length: varint)  -- a sparse file's
 *                holes, sorted and disjoint, inside size; chunks hold size minus their bytes
 *   volume:  size: varint, varint count x extent (offset: varint, length: varint,
 *              chunks: varint count x table index),
 *            unused (v2): varint count x (offset: varint, length: varint)  -- spans no file
 *              system uses, sorted, disjoint and outside every extent: never written or compared;
 *              the bytes in neither an extent nor an unused span are zero
 *   trailer  SHA-256 of every byte above (32 bytes)
 * </pre>
 *
 * Strings are a varint byte length and UTF-8. Varints are unsigned LEB128. Decoding checks the
 * trailer, every bound and index, that chunk lengths add up, and that a tree can only be rebuilt
 * inside its target (root directory first; every path once, with no "." or ".." parts, inside a
 * directory listed before it; hard links to earlier non-directory entries); anything else is
 * {@link CorruptDataException}.
 */
public final class ManifestFormat {
    private static final byte[] MAGIC = "IMGCASTM".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 2;
    private static final int MAX_RAW = 1 << 30;
    /** zstd's largest block (Block_Maximum_Size). */
    private static final long MAX_BLOCK = 128 << 10;

    private ManifestFormat() {}

    public static byte[] encode(Manifest m) {
        Out o = new Out();
        o.bytes(MAGIC);
        o.u8(VERSION);
        o.u8(m.kind() == ImageKind.TREE ? 1 : 2);
        Map<ChunkId, Integer> table = m.distinctChunks();
        Map<ChunkId, Integer> index = new HashMap<>(table.size() * 2);
        o.varint(table.size());
        for (Map.Entry<ChunkId, Integer> c : table.entrySet()) {
            index.put(c.getKey(), index.size());
            byte[] id = new byte[ChunkId.LENGTH];
            c.getKey().copyTo(id, 0);
            o.bytes(id);
            o.varint(c.getValue());
        }
        if (m.kind() == ImageKind.TREE) {
            o.varint(m.entries().size());
            for (Entry e : m.entries()) {
                o.string(e.path());
                o.u8(e.type().code);
                o.varint(e.mode());
                o.varint(e.uid() & 0xffffffffL);
                o.varint(e.gid() & 0xffffffffL);
                o.zigzag(e.atimeNs());
                o.zigzag(e.mtimeNs());
                o.varint(e.size());
                o.string(e.target() == null ? "" : e.target());
                o.varint(e.rdev());
                o.varint(e.xattrs().size());
                for (Xattr x : e.xattrs()) {
                    o.string(x.name());
                    o.varint(x.value().length);
                    o.bytes(x.value());
                }
                chunks(o, e.chunks(), index);
                spans(o, e.holes());
            }
        } else {
            o.varint(m.volumeSize());
            o.varint(m.extents().size());
            for (Extent x : m.extents()) {
                o.varint(x.offset());
                o.varint(x.length());
                chunks(o, x.chunks(), index);
            }
            spans(o, m.unused());
        }
        MessageDigest sha = ChunkId.newDigest();
        sha.update(o.buf, 0, o.len);
        o.bytes(sha.digest());
        return Zstd.compress(Arrays.copyOf(o.buf, o.len), 3);
    }

    private static void chunks(Out o, ChunkList c, Map<ChunkId, Integer> index) {
        o.varint(c.size());
        for (int i = 0; i < c.size(); i++) o.varint(index.get(c.id(i)));
    }

    private static void spans(Out o, List<Span> spans) {
        o.varint(spans.size());
        for (Span s : spans) {
            o.varint(s.offset());
            o.varint(s.length());
        }
    }

    /** Sorted, disjoint, non-empty spans inside {@code [0, size)}; {@code what} names them in errors. */
    private static List<Span> spans(In in, long size, String what) {
        int n = in.count(2);
        List<Span> out = new ArrayList<>(n);
        long prevEnd = 0;
        for (int i = 0; i < n; i++) {
            long off = in.varint();
            long len = in.varint();
            if (off < prevEnd || len <= 0 || off + len > size || off + len < off) {
                throw new CorruptDataException(what + " span " + i + " is inconsistent");
            }
            prevEnd = off + len;
            out.add(new Span(off, len));
        }
        return out;
    }

    public static Manifest decode(byte[] stored) {
        byte[] raw;
        try {
            long size = Zstd.getFrameContentSize(stored);
            if (size <= 0 || size > MAX_RAW) throw new CorruptDataException("manifest has no valid size");
            // the size is the frame's own claim, allocated before a byte is decoded: no more than the
            // input can make (a zstd block of 128 KiB needs at least 4 bytes: header and one RLE byte)
            if (size > (stored.length / 4L + 1) * MAX_BLOCK) {
                throw new CorruptDataException("manifest claims " + size + " bytes, more than its " + stored.length + " bytes can hold");
            }
            raw = Zstd.decompress(stored, (int) size);
        } catch (RuntimeException e) {
            if (e instanceof CorruptDataException c) throw c;
            throw new CorruptDataException("manifest does not decompress: " + e.getMessage());
        }
        if (raw.length < MAGIC.length + 2 + 32) throw new CorruptDataException("manifest truncated");
        MessageDigest sha = ChunkId.newDigest();
        sha.update(raw, 0, raw.length - 32);
        if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(raw, raw.length - 32, raw.length))) {
            throw new CorruptDataException("manifest checksum mismatch");
        }
        In in = new In(raw, raw.length - 32);
        for (byte b : MAGIC) if (in.u8() != (b & 0xff)) throw new CorruptDataException("not a manifest (bad magic)");
        int version = in.u8();
        if (version != VERSION && version != 1) throw new CorruptDataException("manifest version " + version + " is not supported");
        int kind = in.u8();
        int n = in.count(33);
        ChunkId[] ids = new ChunkId[n];
        int[] lens = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = ChunkId.of(in.bytes(ChunkId.LENGTH));
            long l = in.varint();
            if (l <= 0 || l > (1 << 24)) throw new CorruptDataException("chunk length " + l + " out of range");
            lens[i] = (int) l;
        }
        Manifest m;
        if (kind == 1) {
            int count = in.count(8);
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String path = in.string();
                EntryType type;
                try {
                    type = EntryType.of(in.u8());
                } catch (IllegalArgumentException e) {
                    throw new CorruptDataException(e.getMessage());
                }
                int mode = (int) in.varint();
                int uid = (int) in.varint();
                int gid = (int) in.varint();
                long atime = in.zigzag();
                long mtime = in.zigzag();
                long size = in.varint();
                String target = in.string();
                long rdev = in.varint();
                int nx = in.count(2);
                List<Xattr> xattrs = new ArrayList<>(nx);
                for (int j = 0; j < nx; j++) {
                    String name = in.string();
                    xattrs.add(new Xattr(name, in.bytes(in.count(1))));
                }
                ChunkList chunks = chunkList(in, ids, lens);
                List<Span> holes = version >= 2 ? spans(in, size, "entry " + path + ": hole") : List.of();
                long holeBytes = 0;
                for (Span h : holes) holeBytes += h.length();
                if (!holes.isEmpty() && type != EntryType.FILE) throw new CorruptDataException("entry " + path + " has holes but is no file");
                if (type == EntryType.FILE && chunks.totalBytes() != size - holeBytes) {
                    throw new CorruptDataException("entry " + path + ": chunks hold " + chunks.totalBytes() + " bytes, size minus holes says "
                            + (size - holeBytes));
                }
                checkPath(path);
                if (!holes.isEmpty()) {
                    Entry probe = new Entry(path, type, mode, uid, gid, atime, mtime, size, null, rdev, List.of(), chunks, holes);
                    if (probe.chunkOffsets() == null) throw new CorruptDataException("entry " + path + ": a chunk spans a hole");
                }
                entries.add(new Entry(path, type, mode, uid, gid, atime, mtime, size, target.isEmpty() ? null : target, rdev, xattrs,
                        chunks, holes));
            }
            checkTree(entries);
            m = Manifest.tree(entries);
        } else if (kind == 2) {
            long size = in.varint();
            int count = in.count(3);
            List<Extent> extents = new ArrayList<>(count);
            long prevEnd = 0;
            for (int i = 0; i < count; i++) {
                long off = in.varint();
                long len = in.varint();
                ChunkList chunks = chunkList(in, ids, lens);
                if (off < prevEnd || off + len > size || chunks.totalBytes() != len) {
                    throw new CorruptDataException("volume extent " + i + " is inconsistent");
                }
                prevEnd = off + len;
                extents.add(new Extent(off, len, chunks));
            }
            List<Span> unused = version >= 2 ? spans(in, size, "unused") : List.of();
            int e = 0;
            for (Span u : unused) {
                while (e < extents.size() && extents.get(e).offset() + extents.get(e).length() <= u.offset()) e++;
                if (e < extents.size() && extents.get(e).offset() < u.end()) throw new CorruptDataException("an unused span overlaps a data extent");
            }
            m = Manifest.volume(size, extents, unused);
        } else {
            throw new CorruptDataException("unknown image kind " + kind);
        }
        if (in.pos != in.end) throw new CorruptDataException("manifest has trailing bytes");
        return m;
    }

    /**
     * The tree must be one the writer can rebuild inside its target and nowhere else: the root
     * directory first, every other entry once and inside a directory listed before it (never
     * behind a symlink or a file), and every hard link pointing to an earlier non-directory entry.
     */
    private static void checkTree(List<Entry> entries) {
        if (entries.isEmpty() || !entries.getFirst().path().isEmpty() || entries.getFirst().type() != EntryType.DIRECTORY) {
            throw new CorruptDataException("manifest does not start with the root directory");
        }
        Map<String, EntryType> seen = new HashMap<>(entries.size() * 2);
        seen.put("", EntryType.DIRECTORY);
        for (int i = 1; i < entries.size(); i++) {
            Entry e = entries.get(i);
            String p = e.path();
            if (p.isEmpty() || seen.containsKey(p)) throw new CorruptDataException("unsafe path in manifest: '" + p + "' appears twice");
            int slash = p.lastIndexOf('/');
            if (seen.get(slash < 0 ? "" : p.substring(0, slash)) != EntryType.DIRECTORY) {
                throw new CorruptDataException("unsafe path in manifest: '" + p + "' is not inside a directory listed before it");
            }
            if (e.type() == EntryType.HARDLINK) {
                EntryType t = e.target() == null ? null : seen.get(e.target());
                if (t == null || t == EntryType.DIRECTORY || t == EntryType.HARDLINK) {
                    throw new CorruptDataException("unsafe path in manifest: hard link '" + p + "' must point to an earlier file, not '" + e.target() + "'");
                }
            }
            seen.put(p, e.type());
        }
    }

    private static void checkPath(String p) {
        if (p.startsWith("/") || p.equals("..") || p.startsWith("../") || p.contains("/../") || p.endsWith("/..")
                || p.contains("\0") || p.equals(".") || p.startsWith("./") || p.contains("/./") || p.contains("//")) {
            throw new CorruptDataException("unsafe path in manifest: " + p);
        }
    }

    private static ChunkList chunkList(In in, ChunkId[] ids, int[] lens) {
        int c = in.count(1);
        if (c == 0) return ChunkList.EMPTY;
        ChunkId[] ci = new ChunkId[c];
        int[] cl = new int[c];
        for (int j = 0; j < c; j++) {
            long k = in.varint();
            if (k >= ids.length) throw new CorruptDataException("chunk index " + k + " out of range");
            ci[j] = ids[(int) k];
            cl[j] = lens[(int) k];
        }
        return new ChunkList(ci, cl);
    }

    private static final class Out {
        byte[] buf = new byte[1 << 16];
        int len;

        void ensure(int n) {
            if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }

        void u8(int v) { ensure(1); buf[len++] = (byte) v; }

        void bytes(byte[] b) { ensure(b.length); System.arraycopy(b, 0, buf, len, b.length); len += b.length; }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) { buf[len++] = (byte) ((v & 0x7F) | 0x80); v >>>= 7; }
            buf[len++] = (byte) v;
        }

        void zigzag(long v) { varint((v << 1) ^ (v >> 63)); }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            bytes(b);
        }
    }

    private static final class In {
        final byte[] b;
        final int end;
        int pos;

        In(byte[] b, int end) { this.b = b; this.end = end; }

        int u8() {
            if (pos >= end) throw new CorruptDataException("manifest truncated");
            return b[pos++] & 0xff;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new CorruptDataException("varint too long");
        }

        long zigzag() { long v = varint(); return (v >>> 1) ^ -(v & 1); }

        /** A count whose items take at least {@code minBytes} each: bounded by what is left. */
        int count(int minBytes) {
            long c = varint();
            if (c < 0 || c > (end - pos) / minBytes) throw new CorruptDataException("count " + c + " exceeds the manifest");
            return (int) c;
        }

        byte[] bytes(int n) {
            if (n < 0 || n > end - pos) throw new CorruptDataException("manifest truncated");
            byte[] r = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return r;
        }

        String string() { return new String(bytes(count(1)), StandardCharsets.UTF_8); }
    }
}
