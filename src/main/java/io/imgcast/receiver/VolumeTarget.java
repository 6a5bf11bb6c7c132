package io.imgcast.receiver;

import io.imgcast.chunk.ChunkId;
import io.imgcast.image.PartitionTable;
import io.imgcast.image.VolumeWriter;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.Span;
import io.imgcast.util.Posix;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A volume image received onto a block device or an image file. Data already in place (an
 * older image at the same offsets, or a previous interrupted run) is found by hashing the target
 * at each chunk's offset and is not received again, unless the target is fresh (a blank disk:
 * nothing is read). Zero holes are punched or zeroed by the device at the end; unused spans are
 * neither read nor written, so what the target held there stays.
 *
 * <p>A live target ({@link #live}) starts with only the volume's size and learns the chunks'
 * places as the master publishes them ({@link #place}); the manifest comes at the end
 * ({@link #complete}), before {@link #finish}.
 */
public final class VolumeTarget implements ChunkTarget {
    /** What {@link #place} made of a placement. */
    public enum Placed { NEW_LACKING, NEW_HELD, REPEAT }

    private Manifest manifest;
    private final long volumeSize;
    private final Path path;
    private final Map<ChunkId, List<Long>> offsets = new HashMap<>();
    private final Map<ChunkId, Integer> lengths = new HashMap<>();
    /** Live target: chunks written or found in place, with one offset where they are. */
    private final Map<ChunkId, Long> placed = new HashMap<>();
    private byte[] scratch;
    private FileChannel ch;
    private boolean device;
    private boolean existed;
    private boolean fresh;
    private boolean existedBefore;
    private Set<Integer> partitions;
    /** With partitions: the target's byte ranges that may be written; null: all of it. */
    private long[] keep;
    /** Per {@code keep} range: what to add to an image offset to get the target's. */
    private long[] shift;
    /** The image's partitions move to the target's (the image layout is known). */
    private boolean mapped;
    private String imageLayout;

    /** A target that learns its chunks' places while receiving; {@link #prepare} returns nothing. */
    public static VolumeTarget live(Path path, long volumeSize) {
        return new VolumeTarget(null, volumeSize, path);
    }

    public VolumeTarget(Manifest manifest, Path path) {
        this(manifest, manifest.volumeSize(), path);
    }

    /** Declares the target blank (or to be overwritten): no delta scan, no look for data in place. */
    public VolumeTarget fresh(boolean f) {
        this.fresh = f;
        return this;
    }

    /** Applies a receiver's {@link TargetOptions}: fresh, and the partitions to write (read from the target at {@link #prepare}). */
    public VolumeTarget with(TargetOptions o) {
        this.fresh = o.fresh();
        this.partitions = o.partitions();
        this.imageLayout = o.imageLayout();
        return this;
    }

    /**
     * With partitions: which image bytes go where. With the image's layout, image partition N
     * ({@code keep} in image offsets) moves by {@code shift} to the target's partition N, which
     * must be at least as large; without it, the target's partitions are taken at the same offsets.
     */
    private void mapPartitions(PartitionTable target) throws IOException {
        PartitionTable image = PartitionTable.parseLayout(imageLayout);
        if (image == null) {
            keep = target.keepRanges(partitions, Posix.deviceSize(path), false);
            shift = new long[keep.length / 2];
            return;
        }
        List<long[]> m = new ArrayList<>();
        for (int n : partitions) {
            PartitionTable.Partition ip;
            try {
                ip = image.partition(n);
            } catch (RuntimeException e) {
                throw new IOException("--partitions: the image has no partition " + n + " (its layout: " + imageLayout + ")");
            }
            PartitionTable.Partition tp = target.partition(n);
            if (tp.size() < ip.size()) {
                throw new IOException("--partitions: partition " + n + " of " + path + " holds " + tp.size() + " bytes, the image's "
                        + ip.size() + ": that partition is smaller than the image's; refused");
            }
            m.add(new long[] {ip.start(), Math.min(volumeSize, ip.end()), tp.start() - ip.start()});
        }
        m.sort((a, b) -> Long.compare(a[0], b[0]));
        keep = new long[m.size() * 2];
        shift = new long[m.size()];
        for (int i = 0; i < m.size(); i++) {
            keep[2 * i] = m.get(i)[0];
            keep[2 * i + 1] = m.get(i)[1];
            shift[i] = m.get(i)[2];
        }
        mapped = true;
    }

    /** Where image offset {@code at} lies on the target (it must be inside a selected partition when any are). */
    private long onTarget(long at) {
        if (keep == null) return at;
        for (int i = 0; i < keep.length; i += 2) if (at >= keep[i] && at < keep[i + 1]) return at + shift[i / 2];
        return at;
    }

    /** Is {@code [at, at+len)} entirely inside the bytes this target writes? */
    private boolean inside(long at, long len) {
        if (keep == null) return true;
        for (int i = 0; i < keep.length; i += 2) if (at >= keep[i] && at + len <= keep[i + 1]) return true;
        return false;
    }

    /**
     * A chunk that starts inside a selected partition of the target but runs past its end: the
     * image's partition is larger than the target's.
     */
    private void checkFits(long at, long len) throws IOException {
        if (keep == null || mapped) return;
        for (int i = 0; i < keep.length; i += 2) {
            if (at >= keep[i] && at < keep[i + 1] && at + len > keep[i + 1]) {
                throw new IOException("--partitions: the image holds data at bytes " + at + "-" + (at + len - 1)
                        + ", past the end of the target's partition at bytes " + keep[i] + "-" + (keep[i + 1] - 1)
                        + ": that partition of " + path + " is smaller than the image's; refused");
            }
        }
    }

    private VolumeTarget(Manifest manifest, long volumeSize, Path path) {
        this.manifest = manifest;
        this.volumeSize = volumeSize;
        this.path = path;
        if (manifest == null) return;
        for (Extent x : manifest.extents()) {
            long off = x.offset();
            for (int i = 0; i < x.chunks().size(); i++) {
                offsets.computeIfAbsent(x.chunks().id(i), k -> new ArrayList<>(1)).add(off);
                lengths.put(x.chunks().id(i), x.chunks().length(i));
                off += x.chunks().length(i);
            }
        }
    }

    @Override
    public Set<ChunkId> prepare() throws IOException {
        device = VolumeWriter.isDevice(path);
        existedBefore = Files.exists(path);
        existed = existedBefore && !fresh;
        if (partitions != null) {
            PartitionTable t = existedBefore ? PartitionTable.read(path) : null;
            if (t == null) throw new IOException("--partitions: " + path + " has no partition table; receive the whole disk, or partition it first");
            mapPartitions(t);
        }
        if (partitions == null) VolumeWriter.checkTarget(path, volumeSize, existedBefore && !device || manifest == null ? 0 : manifest.dataBytes());
        ch = device ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (!device && ch.size() != volumeSize && partitions == null) {
            if (ch.size() > volumeSize) {
                if (!fresh) ch.truncate(volumeSize); // a fresh larger file keeps its size (a disk)
            } else if (volumeSize > 0) {
                ch.write(ByteBuffer.wrap(new byte[1]), volumeSize - 1);
            }
        }
        if (manifest == null) return new HashSet<>();
        for (Extent x : manifest.extents()) checkFits(x.offset(), x.length());
        Set<ChunkId> lacking = new HashSet<>(offsets.keySet());
        if (!existed) return lacking;
        byte[] buf = new byte[256 * 1024];
        Map<ChunkId, Long> good = new HashMap<>();
        for (Extent x : manifest.extents()) {
            long off = x.offset();
            for (int i = 0; i < x.chunks().size(); i++) {
                int len = x.chunks().length(i);
                ChunkId id = x.chunks().id(i);
                if (inside(off, len) && readFully(off, buf, len) && id.matches(buf, 0, len)) good.put(id, off);
                off += len;
            }
        }
        lacking.removeAll(good.keySet());
        // a chunk held at one of its places is copied locally to its others
        for (Map.Entry<ChunkId, Long> g : good.entrySet()) {
            List<Long> places = offsets.get(g.getKey());
            if (places.size() < 2) continue;
            int len = lengths.get(g.getKey());
            readFully(g.getValue(), buf, len);
            for (long p : places) if (p != g.getValue()) writeAt(p, buf, len);
        }
        return lacking;
    }

    private boolean readFully(long imageAt, byte[] buf, int len) throws IOException {
        long at = onTarget(imageAt);
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) return false;
        }
        return true;
    }

    /** Writes {@code data} at {@code at}, only the parts inside the selected partitions if any. */
    private void writeAt(long at, byte[] data, int len) throws IOException {
        if (keep == null) {
            ByteBuffer b = ByteBuffer.wrap(data, 0, len);
            while (b.hasRemaining()) ch.write(b, at + b.position());
            return;
        }
        for (int i = 0; i < keep.length; i += 2) {
            long s = Math.max(at, keep[i]);
            long e = Math.min(at + len, keep[i + 1]);
            if (s >= e) continue;
            ByteBuffer b = ByteBuffer.wrap(data, (int) (s - at), (int) (e - s));
            long base = s - b.position() + shift[i / 2];
            while (b.hasRemaining()) ch.write(b, base + b.position());
        }
    }

    /**
     * Live target: the master placed chunk {@code id} ({@code len} bytes) at {@code offset}. A
     * chunk met for the first time is looked for at that offset if the target held data before
     * (resume, delta); a chunk already written or found is copied there at once.
     */
    public synchronized Placed place(long offset, ChunkId id, int len) throws IOException {
        if (manifest != null) throw new IllegalStateException("the image is complete");
        if (offset < 0 || offset + len > volumeSize) throw new IOException("chunk " + id.shortHex() + " placed outside the volume");
        List<Long> places = offsets.get(id);
        if (places != null) {
            Long at = placed.get(id);
            if (at != null) {
                byte[] b = scratch(len);
                if (!readFully(at, b, len)) throw new IOException("cannot read back bytes at " + at + " of " + path);
                writeAt(offset, b, len);
            }
            places.add(offset);
            return Placed.REPEAT;
        }
        places = new ArrayList<>(1);
        places.add(offset);
        offsets.put(id, places);
        lengths.put(id, len);
        checkFits(offset, len);
        if (existed && inside(offset, len)) {
            byte[] b = scratch(len);
            if (readFully(offset, b, len) && id.matches(b, 0, len)) {
                placed.put(id, offset);
                return Placed.NEW_HELD;
            }
        }
        return Placed.NEW_LACKING;
    }

    /** Live target: the read ended and {@code m} is the signed manifest (checked by the caller against the placements). */
    public synchronized void complete(Manifest m) throws IOException {
        if (m.volumeSize() != volumeSize) throw new IOException("the final manifest's volume size " + m.volumeSize() + " differs from the announced " + volumeSize);
        manifest = m;
    }

    private byte[] scratch(int len) {
        if (scratch == null || scratch.length < len) scratch = new byte[Math.max(len, 256 * 1024)];
        return scratch;
    }

    @Override
    public synchronized void write(ChunkId id, byte[] data, int len) throws IOException {
        List<Long> places = offsets.get(id);
        if (places == null) throw new IllegalArgumentException("chunk " + id.shortHex() + " is not part of this image");
        for (long p : places) writeAt(p, data, len);
        if (manifest == null) {
            // a later placement copies from here: only from a place actually written
            for (long p : places) {
                if (inside(p, len)) {
                    placed.put(id, p);
                    break;
                }
            }
        }
    }

    @Override
    public void finish() throws IOException {
        if (manifest == null) throw new IllegalStateException("the image's manifest never came");
        if (device || existedBefore) VolumeWriter.zeroHoles(ch, path, device, clip(manifest.zeroHoles()), Progress.NONE);
        ch.force(true);
    }

    /** {@code spans} limited to the selected partitions, if any. */
    private List<Span> clip(List<Span> spans) {
        if (keep == null) return spans;
        List<Span> out = new ArrayList<>();
        for (Span h : spans) {
            for (int i = 0; i < keep.length; i += 2) {
                long s = Math.max(h.offset(), keep[i]);
                long e = Math.min(h.end(), keep[i + 1]);
                if (s < e) out.add(new Span(s + shift[i / 2], e - s));
            }
        }
        return out;
    }

    @Override
    public String verify() throws IOException {
        if (manifest == null) throw new IllegalStateException("the image's manifest never came");
        byte[] buf = new byte[256 * 1024];
        for (Extent x : manifest.extents()) {
            long off = x.offset();
            for (int i = 0; i < x.chunks().size(); i++) {
                int len = x.chunks().length(i);
                if (inside(off, len) && (!readFully(off, buf, len) || !x.chunks().id(i).matches(buf, 0, len))) {
                    return "bytes " + off + "-" + (off + len - 1) + " do not match the image";
                }
                off += len;
            }
        }
        if (!device && keep == null && ch.size() != manifest.volumeSize() && !(fresh && ch.size() > manifest.volumeSize())) return "target has " + ch.size() + " bytes, image " + manifest.volumeSize();
        return null;
    }

    @Override
    public void close() throws IOException {
        if (ch != null) ch.close();
    }
}
