package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.Extent;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks images end to end: each manifest's hash, signature and structure, then every chunk it
 * names — present in the index, record intact in its pack, CRC, decodes, SHA-256 equals the id.
 * Shared chunks are read once. Damage is reported per image, naming files or volume ranges.
 */
public final class Verifier {
    private Verifier() {}

    /** One damaged image: what is wrong, by file or byte range. */
    public record ImageReport(String name, ImageKind kind, boolean ok, List<String> problems) {}

    public record Report(List<ImageReport> images, long chunksChecked, long bytesChecked) {
        public boolean ok() {
            return images.stream().allMatch(ImageReport::ok);
        }
    }

    public static Report run(Store store, List<String> names, int threads, Progress progress) {
        try (var lock = store.lockReader()) {
            List<ImageInfo> images = new ArrayList<>();
            if (names.isEmpty()) images.addAll(store.images());
            else for (String n : names) images.add(store.image(n));
            Map<ImageInfo, Manifest> manifests = new LinkedHashMap<>();
            Map<ImageInfo, String> manifestErrors = new HashMap<>();
            Map<ChunkId, ChunkLocation> all = new HashMap<>();
            Map<ChunkId, String> bad = new ConcurrentHashMap<>();
            for (ImageInfo i : images) {
                try {
                    Manifest m = store.manifest(i);
                    manifests.put(i, m);
                    Map<ChunkId, ChunkLocation> locs = store.locations(i);
                    for (ChunkId id : m.distinctChunks().keySet()) {
                        ChunkLocation l = locs.get(id);
                        if (l == null) bad.put(id, "missing from the store");
                        else all.put(id, l);
                    }
                } catch (CorruptDataException e) {
                    manifestErrors.put(i, "manifest: " + e.getMessage());
                }
            }
            long total = all.values().stream().mapToLong(ChunkLocation::rawLength).sum();
            progress.total(total);
            List<Map.Entry<ChunkId, ChunkLocation>> work = new ArrayList<>(all.entrySet());
            AtomicInteger next = new AtomicInteger();
            AtomicLong bytes = new AtomicLong();
            Runnable r = () -> {
                byte[] buf = new byte[300 * 1024];
                try (ChunkReader reader = store.reader()) {
                    int k;
                    while ((k = next.getAndIncrement()) < work.size()) {
                        var e = work.get(k);
                        try {
                            reader.read(e.getKey(), e.getValue(), buf);
                        } catch (CorruptDataException | IOException ex) {
                            bad.put(e.getKey(), ex.getMessage());
                        }
                        bytes.addAndGet(e.getValue().rawLength());
                        progress.add(e.getValue().rawLength());
                    }
                }
            };
            List<Thread> ts = new ArrayList<>();
            for (int t = 1; t < Math.max(1, threads); t++) ts.add(Thread.ofPlatform().name("imgcast-verify-" + t).start(r));
            r.run();
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("verify interrupted");
                }
            }
            List<ImageReport> reports = new ArrayList<>();
            for (ImageInfo i : images) {
                List<String> problems = new ArrayList<>();
                if (manifestErrors.containsKey(i)) problems.add(manifestErrors.get(i));
                Manifest m = manifests.get(i);
                if (m != null) problems.addAll(locate(m, bad));
                reports.add(new ImageReport(i.name(), i.kind(), problems.isEmpty(), problems));
            }
            return new Report(reports, work.size(), bytes.get());
        }
    }

    private static List<String> locate(Manifest m, Map<ChunkId, String> bad) {
        List<String> out = new ArrayList<>();
        if (bad.isEmpty()) return out;
        if (m.kind() == ImageKind.TREE) {
            for (Entry e : m.entries()) {
                String why = firstBad(e.chunks(), bad);
                if (why != null) out.add("file " + (e.path().isEmpty() ? "/" : e.path()) + ": " + why);
            }
        } else {
            for (Extent x : m.extents()) {
                long off = x.offset();
                for (int i = 0; i < x.chunks().size(); i++) {
                    String why = bad.get(x.chunks().id(i));
                    if (why != null) out.add("bytes " + off + "-" + (off + x.chunks().length(i) - 1) + ": " + why);
                    off += x.chunks().length(i);
                }
            }
        }
        return out;
    }

    private static String firstBad(ChunkList c, Map<ChunkId, String> bad) {
        for (int i = 0; i < c.size(); i++) {
            String why = bad.get(c.id(i));
            if (why != null) return "chunk " + c.id(i).shortHex() + " " + why;
        }
        return null;
    }
}
