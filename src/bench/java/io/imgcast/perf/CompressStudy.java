package io.imgcast.perf;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import io.imgcast.chunk.ChunkId;
import io.imgcast.chunk.FastCdc;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Throwaway study: the deduplicated chunk set of trees a+b+c under various zstd settings.
 *
 *   java CompressStudy MIN_K AVG_K MAX_K EXPERIMENT...
 *
 * EXPERIMENT: L<level>[S<n>] plain per-chunk zstd (S<n>: only chunks with id[0] % n == 0, extrapolated)
 *             D<dictKiB>[P<sampleMiB>][X<prefixKiB>]L<level>[S<n>] with a dictionary trained on tree a's chunks
 * Stored size = payload (3% raw rule) + 52-byte pack record header per chunk.
 */
public final class CompressStudy {
    static final Path TREES = Path.of("/var/cache/imgcast-bench/trees");
    static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    record Chunk(byte[] data, ChunkId id, int image, boolean elf) {}

    public static void main(String[] args) throws Exception {
        int min = Integer.parseInt(args[0]) * 1024, avg = Integer.parseInt(args[1]) * 1024, max = Integer.parseInt(args[2]) * 1024;
        FastCdc cdc = new FastCdc(min, avg, max);
        List<Chunk> chunks = new ArrayList<>();
        Set<ChunkId> seen = new HashSet<>();
        long total = 0, cdcNs = 0, shaNs = 0;
        MessageDigest sha = ChunkId.newDigest();
        String[] names = {"a", "b", "c"};
        for (int img = 0; img < 3; img++) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(TREES.resolve(names[img]))) {
                files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            }
            for (Path f : files) {
                byte[] d = Files.readAllBytes(f);
                total += d.length;
                boolean elf = io.imgcast.codec.X86Filter.isX86Elf(d, 0, d.length);
                int off = 0;
                while (off < d.length) {
                    long t0 = System.nanoTime();
                    int len = cdc.cut(d, off, d.length - off);
                    long t1 = System.nanoTime();
                    ChunkId id = ChunkId.hash(d, off, len);
                    shaNs += System.nanoTime() - t1;
                    cdcNs += t1 - t0;
                    if (seen.add(id)) chunks.add(new Chunk(java.util.Arrays.copyOfRange(d, off, off + len), id, img, elf));
                    off += len;
                }
            }
            long u = chunks.stream().mapToLong(c -> c.data().length).sum();
            System.out.printf("after %s: input %.1f MB, unique chunks %d, unique bytes %.1f MB%n", names[img], total / 1e6, chunks.size(), u / 1e6);
        }
        long uniq = chunks.stream().mapToLong(c -> c.data().length).sum();
        System.out.printf("chunking %d/%d/%d KiB: cdc %.0f MB/s, sha256 %.0f MB/s (%.1f MB input)%n",
                min / 1024, avg / 1024, max / 1024, total / 1e6 / (cdcNs / 1e9), total / 1e6 / (shaNs / 1e9), total / 1e6);
        System.out.printf("%-22s %12s %9s %9s %8s %8s %8s%n", "experiment", "stored MB", "MiB", "comp MB/s", "dec MB/s", "raw#", "<16K MB");
        for (int i = 3; i < args.length; i++) run(args[i], chunks, uniq);
    }

    static void run(String spec, List<Chunk> chunks, long uniq) throws Exception {
        int level, sample = 1, dictK = 0, sampleMiB = 16, prefixK = 0, trainLevel = -1;
        String s = spec;
        boolean bcj = s.startsWith("B");
        if (bcj) s = s.substring(1);
        if (s.startsWith("D")) {
            int l = s.indexOf('L');
            String d = s.substring(1, l);
            s = s.substring(l);
            String[] p = d.split("(?=[PXT])");
            dictK = Integer.parseInt(p[0]);
            for (int i = 1; i < p.length; i++) {
                if (p[i].startsWith("P")) sampleMiB = Integer.parseInt(p[i].substring(1));
                if (p[i].startsWith("X")) prefixK = Integer.parseInt(p[i].substring(1));
                if (p[i].startsWith("T")) trainLevel = Integer.parseInt(p[i].substring(1));
            }
        }
        // L<level> then optional zstd parameter overrides m<minMatch> s<searchLog> c<chainLog> h<hashLog>
        // t<targetLength> g<strategy> w<windowLog>, then optional S<sample>
        java.util.regex.Matcher mm = java.util.regex.Pattern.compile("L(\\d+)((?:[mschtgw]\\d+)*)(?:S(\\d+))?").matcher(s);
        if (!mm.matches()) throw new IllegalArgumentException(spec);
        level = Integer.parseInt(mm.group(1));
        if (mm.group(3) != null) sample = Integer.parseInt(mm.group(3));
        java.util.Map<Character, Integer> over = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher pm = java.util.regex.Pattern.compile("([mschtgw])(\\d+)").matcher(mm.group(2));
        while (pm.find()) over.put(pm.group(1).charAt(0), Integer.parseInt(pm.group(2)));

        byte[] dict = null;
        long trainMs = 0;
        if (dictK > 0) {
            // samples: tree a's chunks in order, every k-th so that the budget spans the whole image
            List<Chunk> a = chunks.stream().filter(c -> c.image() == 0).toList();
            long aBytes = 0;
            for (Chunk c : a) aBytes += prefixK > 0 ? Math.min(prefixK * 1024, c.data().length) : c.data().length;
            long budget = (long) sampleMiB << 20;
            double step = Math.max(1.0, (double) aBytes / budget);
            List<byte[]> smp = new ArrayList<>();
            double next = 0;
            for (int i = 0; i < a.size(); i++) {
                if (i < next) continue;
                next += step;
                byte[] c = a.get(i).data();
                if (bcj && a.get(i).elf()) { c = c.clone(); io.imgcast.codec.X86Filter.encode(c, 0, c.length); }
                smp.add(prefixK > 0 && c.length > prefixK * 1024 ? java.util.Arrays.copyOf(c, prefixK * 1024) : c);
            }
            byte[][] arr = smp.toArray(new byte[0][]);
            byte[] buf = new byte[dictK * 1024];
            long t0 = System.nanoTime();
            long n = Zstd.trainFromBuffer(arr, buf, false, trainLevel >= 0 ? trainLevel : level);
            trainMs = (System.nanoTime() - t0) / 1_000_000;
            if (Zstd.isError(n)) throw new IllegalStateException("train: " + Zstd.getErrorName(n));
            dict = java.util.Arrays.copyOf(buf, (int) n);
        }
        try (ZstdCompressCtx c = new ZstdCompressCtx(); ZstdDecompressCtx dc = new ZstdDecompressCtx()) {
            c.setLevel(level);
            c.setChecksum(false);
            c.setContentSize(true);
            for (var o : over.entrySet()) {
                int v = o.getValue();
                switch (o.getKey()) {
                    case 'm' -> c.setMinMatch(v);
                    case 's' -> c.setSearchLog(v);
                    case 'c' -> c.setChainLog(v);
                    case 'h' -> c.setHashLog(v);
                    case 't' -> c.setTargetLength(v);
                    case 'g' -> c.setStrategy(v);
                    case 'w' -> c.setWindowLog(v);
                    default -> throw new IllegalArgumentException();
                }
            }
            ZstdDictCompress dcomp = null;
            ZstdDictDecompress ddec = null;
            if (dict != null) {
                dcomp = new ZstdDictCompress(dict, level);
                ddec = new ZstdDictDecompress(dict);
                // a digested dictionary carries its own parameters; with overrides, load it as raw
                // content so that they apply (slower: zstd digests it again for every chunk)
                if (over.isEmpty()) c.loadDict(dcomp); else c.loadDict(dict);
                dc.loadDict(ddec);
            }
            byte[] dst = new byte[(int) Zstd.compressBound(4 << 20)];
            byte[] back = new byte[4 << 20];
            long stored = 0, raw = 0, rawCount = 0, small = 0, smallRaw = 0, elfStored = 0, elfRaw = 0;
            long cpu = 0, dcpu = 0, in = 0, elfCpu = 0;
            List<byte[]> encoded = new ArrayList<>();
            for (Chunk ch : chunks) {
                if (sample > 1 && Math.floorMod(ch.id().toBytes()[0], sample) != 0) continue;
                byte[] d = ch.data();
                if (bcj && ch.elf()) {
                    d = d.clone();
                    long tf = MX.getCurrentThreadCpuTime();
                    io.imgcast.codec.X86Filter.encode(d, 0, d.length);
                    cpu += MX.getCurrentThreadCpuTime() - tf;
                    byte[] chk = d.clone();
                    io.imgcast.codec.X86Filter.decode(chk, 0, chk.length);
                    if (!java.util.Arrays.equals(chk, ch.data())) throw new IllegalStateException("BCJ round trip failed");
                }
                long t0 = MX.getCurrentThreadCpuTime();
                int n = c.compressByteArray(dst, 0, dst.length, d, 0, d.length);
                long dt = MX.getCurrentThreadCpuTime() - t0;
                cpu += dt;
                if (ch.elf()) elfCpu += dt;
                in += d.length;
                int st;
                if (n >= d.length - d.length / 32) { st = d.length; rawCount++; }
                else {
                    st = n;
                    if (encoded.size() < 4000) encoded.add(java.util.Arrays.copyOf(dst, n));
                }
                stored += st + 52;
                if (d.length < 16384) { small += st + 52; smallRaw += d.length; }
                if (ch.elf()) { elfStored += st + 52; elfRaw += d.length; }
            }
            // decompression speed on up to 4000 compressed chunks
            long decIn = 0;
            long t0 = MX.getCurrentThreadCpuTime();
            for (byte[] e : encoded) decIn += dc.decompressByteArray(back, 0, back.length, e, 0, e.length);
            dcpu = MX.getCurrentThreadCpuTime() - t0;
            double scale = (double) uniq / in;
            if (dict != null) stored += dict.length;
            System.out.printf("%-22s %12.2f %9.2f %9.1f %8.0f %8d %8.2f%s%n", spec, stored * scale / 1e6, stored * scale / 1048576.0,
                    in / 1e6 / (cpu / 1e9), decIn / 1e6 / (dcpu / 1e9), rawCount, small * scale / 1e6,
                    String.format("  elf %.1f->%.2f MB (%.0f MB/s) other %.2f MB (%.0f MB/s)", elfRaw * scale / 1e6, elfStored * scale / 1e6, elfRaw / 1e6 / (elfCpu / 1e9), (stored - elfStored) * scale / 1e6, (in - elfRaw) / 1e6 / ((cpu - elfCpu) / 1e9)) + (sample > 1 ? "  (1/" + sample + " sample, scaled)" : "")
                            + (dict != null ? "  dict " + dict.length + " B, train " + trainMs + " ms" : ""));
            if (dcomp != null) dcomp.close();
            if (ddec != null) ddec.close();
        }
    }
}
