package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.fec.BlockDecoder;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Receiver-side protocol state: collects symbols per block, learns each block's directory, and
 * hands out the stored payload of every chunk this machine still needs — directly when all its
 * source symbols arrived, or after FEC decoding once any k symbols arrived. Reports, per
 * incomplete block it needs, how many symbols it still lacks. Pure: packets (already checked by
 * {@link Wire#check}) and {@code nowNs} in, chunks and reports out. Not thread-safe.
 */
public final class BlockAssembler {
    /** A chunk's stored payload ready to decode, verify and write. */
    public record Completed(ChunkId id, byte codec, int rawLength, byte[] payload) {}

    private record DirEntry(long tag, byte codec, int storedLength, int rawLength, int offset) {}

    private static final class State {
        final long id;
        final int k;
        final int length;
        final long firstNs;
        byte[][] source;
        final Map<Integer, byte[]> repair = new HashMap<>();
        int count;
        int burst;
        long lastNs;
        boolean counted;
        boolean fresh;
        List<DirEntry> dir;
        final Set<Long> extracted = new HashSet<>();
        /** Per directory entry: the chunk id if this machine needed it when the directory was read, else null. */
        ChunkId[] wanted;

        State(long id, int k, int length, long nowNs) {
            this.id = id;
            this.k = k;
            this.length = length;
            this.firstNs = nowNs;
            this.source = new byte[k][];
        }
    }

    private static final int MAX_OPEN_BLOCKS = 2048;

    private final Map<Long, ChunkId> needed;
    private final LinkedHashMap<Long, State> open = new LinkedHashMap<>();
    private final Set<Long> finished = new HashSet<>();
    /** Blocks fully extracted whose chunks are not yet written: reported with nothing missing. */
    private final Map<Long, int[]> awaitingWrite = new HashMap<>();
    private final Map<Long, Set<Long>> blocksOfTag = new HashMap<>();
    private final long quietNs;
    /** Set by {@link #want}: finished blocks are remembered by the tags they carried, so that a chunk learnt later can reopen them. */
    private Map<Long, List<Long>> finishedByTag;
    private long sourceSeen;
    private long sourceLost;
    private long decodes;

    /** @param needed tag (first 8 bytes of the id) → id, for every chunk this machine still needs */
    public BlockAssembler(Map<Long, ChunkId> needed, long quietNs) {
        this.needed = new HashMap<>(needed);
        this.quietNs = quietNs;
    }

    /**
     * Adds chunks this machine needs (tag → id), learnt after the start: the image's table grows
     * while the master still reads its source. A block already set aside as holding nothing
     * needed is let in again if it carries one of them; blocks open now look again at their
     * directories.
     */
    public void want(Map<Long, ChunkId> more) {
        if (finishedByTag == null) finishedByTag = new HashMap<>();
        if (more.isEmpty()) return;
        needed.putAll(more);
        for (Long tag : more.keySet()) {
            List<Long> blocks = finishedByTag.remove(tag);
            if (blocks != null) for (Long b : blocks) finished.remove(b);
        }
        for (State s : open.values()) if (s.dir != null) resolve(s);
    }

    private void finish(State s) {
        open.remove(s.id);
        finished.add(s.id);
        if (finishedByTag != null) {
            for (DirEntry e : s.dir) {
                if (!needed.containsKey(e.tag())) finishedByTag.computeIfAbsent(e.tag(), t -> new ArrayList<>(1)).add(s.id);
            }
        }
    }

    public int neededCount() {
        return needed.size();
    }

    public long decodes() {
        return decodes;
    }

    /** Loss estimate from gaps among first-burst source symbols (0..1). */
    public double lossEstimate() {
        long total = sourceSeen + sourceLost;
        return total == 0 ? 0 : (double) sourceLost / total;
    }

    /** Takes one checked packet; returns chunks that became complete (usually none). */
    public List<Completed> onPacket(ByteBuffer p, long nowNs) {
        byte type = Wire.type(p);
        if (type == Wire.TYPE_HEARTBEAT) return List.of();
        long block = Wire.block(p);
        if (finished.contains(block)) return List.of();
        int k = Wire.k(p);
        int length = Wire.length(p);
        State s = open.get(block);
        if (s == null) {
            s = new State(block, k, length, nowNs);
            // loss is measured only on blocks first met in their fresh burst (burst 0): a late
            // joiner's first symbols of an older block are repairs, not a sign of loss
            s.fresh = Wire.burst(p) == 0;
            s.counted = !s.fresh;
            open.put(block, s);
            if (open.size() > MAX_OPEN_BLOCKS) {
                Iterator<State> it = open.values().iterator();
                it.next();
                it.remove();
            }
        } else if (s.k != k || s.length != length) {
            return List.of(); // inconsistent with what we saw: forged or foreign, ignore
        }
        s.lastNs = nowNs;
        s.burst = Wire.burst(p);
        int esi = -1;
        if (type == Wire.TYPE_INFO) {
            if (s.dir != null) return List.of();
            s.dir = parseDirectory(p);
            resolve(s);
            if (!relevant(s)) {
                finish(s);
                return List.of();
            }
        } else {
            esi = Wire.esi(p);
            byte[] sym = new byte[Wire.SYMBOL_SIZE];
            p.get(Wire.HEADER, sym);
            if (esi < k) {
                if (s.source[esi] != null) return List.of();
                s.source[esi] = sym;
            } else {
                if (s.repair.containsKey(esi)) return List.of();
                s.repair.put(esi, sym);
            }
            s.count++;
            // a source symbol can only complete the chunks it carries, a repair symbol only by
            // decoding: skip the scan of the whole directory unless one of them may have happened
            if (s.dir != null && s.count < s.k && (esi >= k || !carriesWanted(s, esi))) return List.of();
        }
        return extract(s);
    }

    private void resolve(State s) {
        s.wanted = new ChunkId[s.dir.size()];
        for (int i = 0; i < s.wanted.length; i++) s.wanted[i] = needed.get(s.dir.get(i).tag());
    }

    /** Whether source symbol {@code esi} holds part of a chunk this machine wanted and has not taken yet. */
    private static boolean carriesWanted(State s, int esi) {
        int from = esi * Wire.SYMBOL_SIZE;
        int to = from + Wire.SYMBOL_SIZE;
        for (int i = 0; i < s.wanted.length; i++) {
            DirEntry e = s.dir.get(i);
            if (e.offset() >= to) break;
            if (s.wanted[i] != null && e.offset() + e.storedLength() > from && !s.extracted.contains(e.tag())) return true;
        }
        return false;
    }

    private static List<DirEntry> parseDirectory(ByteBuffer p) {
        int count = p.getShort(Wire.HEADER) & 0xffff;
        List<DirEntry> d = new ArrayList<>(count);
        int off = 0;
        for (int i = 0; i < count; i++) {
            int at = Wire.HEADER + 2 + i * Wire.INFO_ENTRY;
            int slen = p.getInt(at + 9);
            d.add(new DirEntry(p.getLong(at), p.get(at + 8), slen, p.getInt(at + 13), off));
            off += slen;
        }
        return d;
    }

    private boolean relevant(State s) {
        for (int i = 0; i < s.wanted.length; i++) {
            if (s.wanted[i] == null) continue;
            long tag = s.dir.get(i).tag();
            if (needed.containsKey(tag) && !s.extracted.contains(tag)) return true;
        }
        return false;
    }

    private List<Completed> extract(State s) {
        if (s.dir == null) return List.of();
        List<Completed> out = null;
        boolean decoded = false;
        for (DirEntry e : s.dir) {
            ChunkId id = needed.get(e.tag());
            if (id == null || s.extracted.contains(e.tag())) continue;
            int first = e.offset() / Wire.SYMBOL_SIZE;
            int last = (e.offset() + e.storedLength() - 1) / Wire.SYMBOL_SIZE;
            boolean all = true;
            for (int i = first; i <= last && all; i++) all = s.source[i] != null;
            if (!all && !decoded && s.count >= s.k) {
                decode(s);
                decoded = true;
                all = true;
            }
            if (!all) continue;
            byte[] payload = new byte[e.storedLength()];
            int pos = e.offset();
            int w = 0;
            while (w < payload.length) {
                int si = pos / Wire.SYMBOL_SIZE;
                int so = pos % Wire.SYMBOL_SIZE;
                int n = Math.min(Wire.SYMBOL_SIZE - so, payload.length - w);
                System.arraycopy(s.source[si], so, payload, w, n);
                w += n;
                pos += n;
            }
            s.extracted.add(e.tag());
            blocksOfTag.computeIfAbsent(e.tag(), t -> new HashSet<>()).add(s.id);
            int[] pendingWrite = awaitingWrite.computeIfAbsent(s.id, b -> new int[2]);
            pendingWrite[0]++;
            pendingWrite[1] = s.burst;
            if (out == null) out = new ArrayList<>();
            out.add(new Completed(id, e.codec(), e.rawLength(), payload));
        }
        if (!relevant(s)) {
            finish(s);
            if (!s.counted) {
                sourceSeen += s.k;
                s.counted = true;
            }
        }
        return out == null ? List.of() : out;
    }

    private void decode(State s) {
        int missing = 0;
        for (byte[] b : s.source) if (b == null) missing++;
        if (!s.counted) {
            sourceLost += missing;
            sourceSeen += s.k - missing;
            s.counted = true;
        }
        BlockDecoder d = new BlockDecoder(BlockData.code(s.k), Wire.SYMBOL_SIZE);
        for (int i = 0; i < s.k; i++) if (s.source[i] != null) d.add(i, s.source[i], 0);
        for (Map.Entry<Integer, byte[]> r : s.repair.entrySet()) {
            if (d.isComplete()) break;
            d.add(r.getKey(), r.getValue(), 0);
        }
        byte[][] src = d.decode();
        for (int i = 0; i < s.k; i++) if (s.source[i] == null) s.source[i] = src[i].clone();
        s.repair.clear();
        decodes++;
    }

    /** Marks a chunk as written and verified: no longer needed. */
    public void done(ChunkId id) {
        needed.remove(id.prefix64());
        Set<Long> blocks = blocksOfTag.remove(id.prefix64());
        if (blocks != null) {
            for (Long b : blocks) {
                int[] w = awaitingWrite.get(b);
                if (w != null && --w[0] <= 0) awaitingWrite.remove(b);
            }
        }
    }

    /**
     * A chunk failed its hash check (forged or corrupt data): it is needed again, and the block it
     * came from is forgotten so its symbols are collected afresh.
     */
    public void rejected(ChunkId id) {
        long tag = id.prefix64();
        needed.put(tag, id);
        Set<Long> blocks = blocksOfTag.remove(tag);
        if (blocks != null) for (Long b : blocks) awaitingWrite.remove(b);
        for (Iterator<State> it = open.values().iterator(); it.hasNext(); ) {
            State s = it.next();
            if (s.extracted.contains(tag)) it.remove();
            else if (s.dir != null) resolve(s); // the chunk may be wanted from this block now
        }
        finished.clear(); // a finished block may be resent with the chunk; let it in again
    }

    /** For every incomplete block this machine needs and has heard nothing of for a quiet period. */
    public List<Scheduler.BlockReport> reports(long nowNs) {
        List<Scheduler.BlockReport> out = new ArrayList<>();
        for (State s : open.values()) {
            if (nowNs - s.lastNs < quietNs) continue;
            if (s.dir != null && !relevant(s)) continue;
            int missing = Math.max(0, s.k - s.count);
            if (missing > 0) out.add(new Scheduler.BlockReport(s.id, s.burst, missing));
        }
        for (Map.Entry<Long, int[]> w : awaitingWrite.entrySet()) {
            if (!open.containsKey(w.getKey())) out.add(new Scheduler.BlockReport(w.getKey(), w.getValue()[1], 0));
        }
        return out;
    }
}
