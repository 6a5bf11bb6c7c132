package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.fec.ReedSolomonCode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Receiver-side protocol state: collects symbols per block, learns each block's directory, and
 * hands out the stored payload of every chunk this machine still needs — directly when all its
 * source symbols arrived, or after FEC decoding once any k symbols arrived. Reports, per
 * incomplete block it needs, how many symbols it still lacks (and whether it lacks the block's
 * directory). Pure: packets (already checked by {@link Wire#check}) and {@code nowNs} in, chunks
 * and reports out. Not thread-safe.
 *
 * <p>Memory is bounded whatever arrives: a directory is kept only once its signature checks
 * ({@code directoryCheck}); symbols are kept only for blocks whose directory says they hold a
 * chunk this machine needs — at most {@link #MAX_HELD_BLOCKS} of them, the most a stream has in
 * flight — and, ahead of their directory (lost, or still to come), for at most {@link
 * #MAX_EARLY_BLOCKS} blocks (the oldest such block lets its symbols go for a newer one); any
 * other symbol is dropped without a copy. Blocks merely heard of
 * cost a few hundred bytes each, at most {@link #MAX_OPEN_BLOCKS} of them.
 *
 * <p>A block's source symbols are kept in place in one array of k symbols, so a chunk's payload
 * is a range of that array ({@link Completed}) and decoding fills the gaps where they are: a
 * source symbol's body is copied once, from the socket buffer to its place (a repair symbol's is
 * kept apart until decoding copies the recovered symbol into its gap).
 */
public final class BlockAssembler {
    /**
     * A chunk's stored payload ready to decode, verify and write: bytes {@code [offset, offset +
     * length)} of {@code data}, which belongs to the assembler's block and is never changed again.
     */
    public record Completed(ChunkId id, byte codec, int rawLength, byte[] data, int offset, int length) {
        /** A copy of the payload. */
        public byte[] payload() {
            return Arrays.copyOfRange(data, offset, offset + length);
        }
    }

    private record DirEntry(long tag, byte codec, int storedLength, int rawLength, int offset) {}

    private static final class State {
        final long id;
        final int k;
        /** The k source symbols, each in its place (allocated with the first symbol). */
        byte[] data;
        final boolean[] held;
        /** Which ESIs arrived (source and repair), 256 bits. */
        final long[] seen = new long[4];
        byte[][] repair = new byte[2][];
        int[] repairEsi = new int[2];
        int repairs;
        int count;
        int burst;
        long lastNs;
        boolean counted;
        /** Source symbols below this ESI went out before this machine listened: not counted as loss. */
        int from;
        /** No longer in {@code open} (finished, forgotten or evicted). */
        boolean closed;
        DirEntry[] dir;
        /** Per directory entry: the chunk id if this machine needed it when the directory was read, else null. */
        ChunkId[] wanted;
        /** Per directory entry: handed out already. */
        boolean[] taken;

        State(long id, int k) {
            this.id = id;
            this.k = k;
            this.held = new boolean[k];
        }

        boolean sawEsi(int esi) {
            return (seen[esi >> 6] & (1L << esi)) != 0;
        }
    }

    static final int MAX_OPEN_BLOCKS = 2048;
    /** Blocks holding symbols with a known directory: a stream's window ({@link Scheduler.Config#maxActiveBlocks}) and a margin. */
    static final int MAX_HELD_BLOCKS = Scheduler.Config.defaults().maxActiveBlocks() + 16;
    /** Blocks holding symbols that arrived before their directory. */
    static final int MAX_EARLY_BLOCKS = 32;
    /** A block heard of without its directory is forgotten after this long without a packet of it. */
    static final long FORGET_DIRECTORYLESS_NS = 10_000_000_000L;

    private final int symbolSize;
    private final Predicate<ByteBuffer> directoryCheck;
    /** Open blocks holding symbols: with a directory, and without one yet. */
    private int heldCount;
    private int earlyCount;
    /** Why the last packet was dropped by the assembler (a directory whose signature failed), or null. */
    private Wire.Reject lastReject;
    private final Map<Long, ChunkId> needed;
    private final LinkedHashMap<Long, State> open = new LinkedHashMap<>();
    private final Set<Long> finished = new HashSet<>();
    /** Blocks fully extracted whose chunks are not yet written: reported with nothing missing. */
    private final Map<Long, int[]> awaitingWrite = new HashMap<>();
    private final Map<Long, Set<Long>> blocksOfTag = new HashMap<>();
    private final long quietNs;
    /** Set by {@link #want}: finished blocks are remembered by the tags they carried, so that a chunk learnt later can reopen them. */
    private Map<Long, List<Long>> finishedByTag;
    private final byte[] matrix = new byte[(Wire.MAX_ESI + 1) / 2 * ((Wire.MAX_ESI + 1) / 2)];
    /** The block of the last datagram, while it is open. */
    private State last;
    private long sourceSeen;
    private long sourceLost;
    /** A datagram of some block arrived already: from now on every block's start is heard (or lost). */
    private boolean listening;
    private long decodes;

    /**
     * @param needed     tag (first 8 bytes of the id) → id, for every chunk this machine still needs
     * @param symbolSize the session's symbol size
     * @param quietNs    a block is reported once nothing of it came for this long
     */
    public BlockAssembler(Map<Long, ChunkId> needed, int symbolSize, long quietNs) {
        this(needed, symbolSize, quietNs, p -> true);
    }

    /**
     * @param directoryCheck true for a BLOCK_INFO datagram whose directory signature checks
     *                       ({@link DirectorySignature#verify}); asked once per block until one passes.
     *                       The three-argument constructor trusts every directory (simulations).
     */
    public BlockAssembler(Map<Long, ChunkId> needed, int symbolSize, long quietNs, Predicate<ByteBuffer> directoryCheck) {
        this.directoryCheck = directoryCheck;
        this.needed = new HashMap<>(needed);
        this.symbolSize = symbolSize;
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
        close(s);
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

    /**
     * Loss estimate from gaps among first-burst source symbols (0..1), counted only over what
     * this machine could have received since it started listening: the part of a block that
     * went out before its first datagram is not loss.
     */
    public double lossEstimate() {
        long total = sourceSeen + sourceLost;
        return total == 0 ? 0 : (double) sourceLost / total;
    }

    /** Why the assembler dropped the last packet ({@link Wire.Reject#BAD_SIGNATURE}), or null if it took it. */
    public Wire.Reject lastReject() {
        return lastReject;
    }

    /** Blocks holding symbols now (with their directory, and ahead of it): bounded, whatever arrives. */
    public int heldBlocks() {
        return heldCount + earlyCount;
    }

    /** A block leaves {@code open}: its symbols are let go. */
    private void close(State s) {
        s.closed = true;
        release(s);
    }

    private void release(State s) {
        if (s.data == null && s.repairs == 0) return;
        if (s.dir == null) earlyCount--;
        else heldCount--;
        s.data = null;
        s.repair = new byte[2][];
        s.repairEsi = new int[2];
        s.repairs = 0;
        s.count = 0;
        Arrays.fill(s.held, false);
        Arrays.fill(s.seen, 0);
    }

    /** Whether a symbol of block {@code s} may be kept: room is made by letting the oldest block's symbols go. */
    private boolean mayHold(State s) {
        if (s.data != null || s.repairs > 0) return true;
        if (s.dir == null) {
            if (earlyCount >= MAX_EARLY_BLOCKS) {
                // the oldest block still without a directory lets its symbols go (most likely one
                // whose directory was lost and that this machine does not need)
                State oldest = null;
                for (State o : open.values()) {
                    if (o != s && o.dir == null && (o.data != null || o.repairs > 0)) {
                        oldest = o;
                        break;
                    }
                }
                if (oldest == null) return false;
                release(oldest);
            }
            earlyCount++;
            return true;
        }
        if (heldCount >= MAX_HELD_BLOCKS) {
            for (State o : open.values()) {
                if (o != s && o.dir != null && (o.data != null || o.repairs > 0)) {
                    release(o);
                    break;
                }
            }
        }
        heldCount++;
        return true;
    }

    /** Takes one checked packet (read with absolute gets; heap or direct); returns chunks that became complete (usually none). */
    public List<Completed> onPacket(ByteBuffer p, long nowNs) {
        lastReject = null;
        byte type = Wire.type(p);
        if (type == Wire.TYPE_HEARTBEAT) return List.of();
        long block = Wire.block(p);
        int k = Wire.k(p);
        // most datagrams belong to the block of the one before: skip the lookups then
        State s = last != null && last.id == block && !last.closed ? last : null;
        if (s == null) {
            if (finished.contains(block)) return List.of();
            s = open.get(block);
        }
        if (s == null) {
            s = new State(block, k);
            last = s;
            // loss is measured only on blocks first met in their fresh burst (burst 0): a late
            // joiner's first symbols of an older block are repairs, not a sign of loss
            s.counted = Wire.burst(p) != 0;
            // the first block met by a machine that just started listening (joined mid-session):
            // the symbols before the first one it heard went out before it could hear them
            if (!listening && type == Wire.TYPE_SYMBOL && Wire.esi(p) < k) s.from = Wire.esi(p);
            open.put(block, s);
            if (open.size() > MAX_OPEN_BLOCKS) evictOne();
        } else if (s.k != k) {
            return List.of(); // inconsistent with what we saw: forged or foreign, ignore
        }
        last = s;
        listening = true;
        s.lastNs = nowNs;
        s.burst = Wire.burst(p);
        if (type == Wire.TYPE_INFO) {
            if (s.count > 0 && !s.counted && Wire.burst(p) == 0) {
                // the directory that closes a block's first burst: every source symbol went out
                // before it, so the gaps are the loss (known now, not only once the block decodes)
                int held = 0;
                for (int j = s.from; j < s.k; j++) if (s.held[j]) held++;
                sourceSeen += held;
                sourceLost += s.k - s.from - held;
                s.counted = true;
            }
            if (s.dir != null) return List.of();
            if (!directoryCheck.test(p)) {
                lastReject = Wire.Reject.BAD_SIGNATURE;
                return List.of();
            }
            boolean hadEarly = s.data != null || s.repairs > 0;
            s.dir = parseDirectory(p);
            if (hadEarly) {
                earlyCount--;
                heldCount++;
            }
            s.taken = new boolean[s.dir.length];
            resolve(s);
            if (!relevant(s)) {
                finish(s);
                return List.of();
            }
        } else {
            int esi = Wire.esi(p);
            if (s.sawEsi(esi)) return List.of();
            if (s.dir != null && !relevant(s)) return List.of();
            if (!mayHold(s)) return List.of();
            s.seen[esi >> 6] |= 1L << esi;
            if (esi < k) {
                if (s.data == null) s.data = new byte[k * symbolSize];
                p.get(Wire.HEADER, s.data, esi * symbolSize, symbolSize);
                s.held[esi] = true;
            } else {
                byte[] sym = new byte[symbolSize];
                p.get(Wire.HEADER, sym, 0, symbolSize);
                if (s.repairs == s.repair.length) {
                    s.repair = Arrays.copyOf(s.repair, s.repairs * 2);
                    s.repairEsi = Arrays.copyOf(s.repairEsi, s.repairs * 2);
                }
                s.repair[s.repairs] = sym;
                s.repairEsi[s.repairs++] = esi;
            }
            s.count++;
            // a source symbol can only complete the chunks it carries, a repair symbol only by
            // decoding: skip the scan of the whole directory unless one of them may have happened
            if (s.dir != null && s.count < s.k && (esi >= k || !carriesWanted(s, esi))) return List.of();
        }
        return extract(s);
    }

    private void resolve(State s) {
        s.wanted = new ChunkId[s.dir.length];
        for (int i = 0; i < s.wanted.length; i++) s.wanted[i] = needed.get(s.dir[i].tag());
    }

    /** Whether source symbol {@code esi} holds part of a chunk this machine wanted and has not taken yet. */
    private boolean carriesWanted(State s, int esi) {
        int from = esi * symbolSize;
        int to = from + symbolSize;
        for (int i = 0; i < s.wanted.length; i++) {
            DirEntry e = s.dir[i];
            if (e.offset() >= to) break;
            if (s.wanted[i] != null && e.offset() + e.storedLength() > from && !s.taken[i]) return true;
        }
        return false;
    }

    private static DirEntry[] parseDirectory(ByteBuffer p) {
        int count = p.getShort(Wire.HEADER) & 0xffff;
        DirEntry[] d = new DirEntry[count];
        int off = 0;
        for (int i = 0; i < count; i++) {
            int at = Wire.HEADER + 2 + i * Wire.INFO_ENTRY;
            int slen = p.getInt(at + 9);
            d[i] = new DirEntry(p.getLong(at), p.get(at + 8), slen, p.getInt(at + 13), off);
            off += slen;
        }
        return d;
    }

    private boolean relevant(State s) {
        for (int i = 0; i < s.wanted.length; i++) {
            if (s.wanted[i] != null && !s.taken[i] && needed.containsKey(s.dir[i].tag())) return true;
        }
        return false;
    }

    private List<Completed> extract(State s) {
        if (s.dir == null) return List.of();
        List<Completed> out = null;
        for (int i = 0; i < s.dir.length; i++) {
            DirEntry e = s.dir[i];
            ChunkId id = needed.get(e.tag());
            if (id == null || s.taken[i]) continue;
            int first = e.offset() / symbolSize;
            int last = (e.offset() + e.storedLength() - 1) / symbolSize;
            boolean all = true;
            for (int j = first; j <= last && all; j++) all = s.held[j];
            if (!all && s.count >= s.k) {
                decode(s);
                all = true;
            }
            if (!all) continue;
            s.taken[i] = true;
            blocksOfTag.computeIfAbsent(e.tag(), t -> new HashSet<>()).add(s.id);
            int[] pendingWrite = awaitingWrite.computeIfAbsent(s.id, b -> new int[2]);
            pendingWrite[0]++;
            pendingWrite[1] = s.burst;
            if (out == null) out = new ArrayList<>();
            out.add(new Completed(id, e.codec(), e.rawLength(), s.data, e.offset(), e.storedLength()));
        }
        if (!relevant(s)) {
            finish(s);
            if (!s.counted) {
                sourceSeen += s.k - s.from;
                s.counted = true;
            }
        }
        return out == null ? List.of() : out;
    }

    /** Too many blocks heard of: forgets one, the oldest without a directory if any, else the oldest. */
    private void evictOne() {
        State victim = null;
        for (State o : open.values()) {
            if (o.dir == null && o != last) {
                victim = o;
                break;
            }
        }
        if (victim == null) victim = open.values().iterator().next();
        open.remove(victim.id);
        close(victim);
    }

    /** Recovers the missing source symbols in place from the repair symbols (count >= k). */
    private void decode(State s) {
        if (s.data == null) s.data = new byte[s.k * symbolSize];
        int[] missing = new int[s.k];
        int m = 0;
        for (int j = 0; j < s.k; j++) if (!s.held[j]) missing[m++] = j;
        if (!s.counted) {
            int lost = 0;
            for (int i = 0; i < m; i++) if (missing[i] >= s.from) lost++;
            sourceLost += lost;
            sourceSeen += s.k - s.from - lost;
            s.counted = true;
        }
        if (m == 0) return;
        byte[][] src = new byte[s.k][];
        int[] srcOff = new int[s.k];
        for (int j = 0; j < s.k; j++) {
            src[j] = s.data;
            srcOff[j] = j * symbolSize;
        }
        byte[][] rep = Arrays.copyOf(s.repair, m);
        int[] repEsi = Arrays.copyOf(s.repairEsi, m);
        ReedSolomonCode code = BlockData.code(s.k);
        code.recover(symbolSize, src, srcOff, missing, m, rep, new int[m], repEsi, matrix);
        for (int l = 0; l < m; l++) {
            System.arraycopy(rep[l], 0, s.data, missing[l] * symbolSize, symbolSize);
            s.held[missing[l]] = true;
        }
        s.repair = new byte[2][];
        s.repairEsi = new int[2];
        s.repairs = 0;
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
            if (s.dir == null) continue;
            boolean took = false;
            for (int i = 0; i < s.dir.length; i++) took |= s.taken[i] && s.dir[i].tag() == tag;
            if (took) {
                close(s);
                it.remove();
            } else {
                resolve(s); // the chunk may be wanted from this block now
            }
        }
        finished.clear(); // a finished block may be resent with the chunk; let it in again
    }

    /**
     * For every incomplete block this machine needs and has heard nothing of for a quiet period:
     * the symbols it lacks, and whether it lacks the directory (without which what it holds is of
     * no use); blocks whose chunks are out but not yet written, with nothing missing.
     */
    public List<BlockReport> reports(long nowNs) {
        List<BlockReport> out = new ArrayList<>();
        for (Iterator<State> it = open.values().iterator(); it.hasNext(); ) {
            State s = it.next();
            if (nowNs - s.lastNs < quietNs) continue;
            if (s.dir == null && nowNs - s.lastNs > FORGET_DIRECTORYLESS_NS) {
                // its directory was asked for and never came: the server does not send it because no
                // chunk of it is ours to take (if one were, the carousel sends the whole block again)
                close(s);
                it.remove();
                continue;
            }
            if (s.dir != null && !relevant(s)) continue;
            int missing = Math.max(0, s.k - s.count);
            if (missing > 0 || s.dir == null) out.add(new BlockReport(s.id, s.burst, missing, s.dir == null));
        }
        for (Map.Entry<Long, int[]> w : awaitingWrite.entrySet()) {
            if (!open.containsKey(w.getKey())) out.add(new BlockReport(w.getKey(), w.getValue()[1], 0));
        }
        return out;
    }
}
