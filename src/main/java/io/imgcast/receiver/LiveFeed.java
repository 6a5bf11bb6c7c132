package io.imgcast.receiver;

import io.imgcast.cast.LiveTable;
import io.imgcast.cast.TableSignature;
import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.Manifest;
import io.imgcast.util.Progress;

import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows an image whose chunk table grows while its master reads the source
 * ({@link LiveTable}), on a thread of its own: fetches new placements, places them on the target
 * (finding what it already holds), hands the lacking chunks' tags to the assembler before telling
 * the server it needs them (so no datagram of theirs can come unrecognised), and at the end
 * fetches the signed manifest and checks that it describes exactly the placements it was given.
 */
final class LiveFeed {
    /** The master's table reports that its read failed. */
    static final class MasterFailed extends IOException {
        MasterFailed(String failure) {
            super("the master could not read its source: " + failure);
        }
    }

    /** The largest signed manifest a receiver accepts (a manifest lists about 40 bytes per chunk). */
    static final int MAX_MANIFEST = 512 << 20;

    private final ServerLink link;
    private final VolumeTarget target;
    private final List<ChunkId> table;
    private final Map<ChunkId, Integer> index;
    private final ManifestCheck check;
    private final Progress progress;
    private final long periodMs;
    private final Map<Long, ChunkId> tags = new HashMap<>();
    private final BitSet lackingBits = new BitSet();
    private final ManifestCheck.Placements published = new ManifestCheck.Placements();
    private final List<ChunkId> lackingIds = new ArrayList<>();
    private int placements;
    private int posted;
    private boolean tableEnded;
    private volatile boolean complete;
    private volatile long neededBytes;
    private volatile long reused;

    /**
     * @param table    the image's chunk table, grown here (index → chunk)
     * @param index    chunk → index in {@code table}, grown here; read by the assembler's owner
     * @param periodMs the wait between polls when nothing more is waiting
     */
    /** The session's signing key and id: every slice must carry its signature ({@link TableSignature}). */
    private final PublicKey signer;
    private final int session;

    LiveFeed(ServerLink link, VolumeTarget target, List<ChunkId> table, Map<ChunkId, Integer> index, ManifestCheck check,
             Progress progress, long periodMs, PublicKey signer, int session) {
        this.signer = signer;
        this.session = session;
        this.link = link;
        this.target = target;
        this.table = table;
        this.index = index;
        this.check = check;
        this.progress = progress;
        this.periodMs = periodMs;
    }

    /** The read ended and the signed manifest checked out: the table is whole. */
    boolean complete() {
        return complete;
    }

    long neededBytes() {
        return neededBytes;
    }

    long reused() {
        return reused;
    }

    /** The chunks the target lacked when they were placed (read after the loop ended). */
    List<ChunkId> lackingIds() {
        return lackingIds;
    }

    /** Polls until the table is complete or the receive stops; sets {@code lastProgressNs} when it learnt something. */
    void loop(SharedAssembler asm, Stop stop, AtomicLong lastProgressNs) {
        while (stop.running() && !complete && stop.failure() == null) {
            boolean more;
            try {
                int got = poll(asm);
                if (got != 0) lastProgressNs.set(System.nanoTime());
                more = got >= LiveTable.MAX_SLICE; // a full slice: more is waiting
            } catch (ServerLink.Refused e) {
                if (e.forgotten()) stop.fail(new Rejoin("the master no longer knows this machine (restarted?)"));
                more = false;
            } catch (CorruptDataException e) {
                stop.fail(new IOException("the chunk table from the master failed its check: " + e.getMessage()));
                return;
            } catch (MasterFailed e) {
                stop.fail(e);
                return;
            } catch (IOException e) {
                more = false; // unreachable for a moment: the feedback loop gives up if it lasts
            }
            if (!more) Stop.sleep(periodMs);
        }
    }

    /** One round; returns how many placements it learnt (-1: the read ended and the manifest checked out). */
    int poll(SharedAssembler asm) throws IOException {
        if (!tableEnded) {
            // the signature first: nothing of a slice is placed unless the session's key signed it
            byte[] signed = link.table(placements, 32 + LiveTable.MAX_SLICE * LiveTable.ENTRY_BYTES + TableSignature.LENGTH);
            LiveTable.Slice s = LiveTable.decodeSlice(TableSignature.open(signer, session, signed));
            if (s.failure() != null) throw new MasterFailed(s.failure());
            if (s.from() != placements) throw new CorruptDataException("slice starts at " + s.from() + ", asked for " + placements);
            int firstNew = table.size();
            Map<Long, ChunkId> newTags = new HashMap<>();
            for (LiveTable.Placement p : s.placements()) {
                ChunkId id = p.chunk().id();
                int len = p.chunk().rawLength();
                published.add(p.offset(), id, len);
                VolumeTarget.Placed r = target.place(p.offset(), id, len);
                if (r == VolumeTarget.Placed.REPEAT) continue;
                ChunkId other = tags.putIfAbsent(id.prefix64(), id);
                if (other != null) throw new IOException("two chunks of the image share a wire tag; cannot receive it by multicast");
                index.put(id, table.size());
                if (r == VolumeTarget.Placed.NEW_LACKING) {
                    lackingBits.set(table.size());
                    lackingIds.add(id);
                    newTags.put(id.prefix64(), id);
                    neededBytes += len;
                } else {
                    reused++;
                }
                table.add(id);
            }
            placements += s.placements().size();
            if (!newTags.isEmpty()) {
                asm.want(newTags);
                progress.total(neededBytes);
            }
            tableEnded = s.complete() && placements == s.total();
            if (table.size() > firstNew || posted < table.size()) postNeeds();
            if (!tableEnded) return s.placements().size();
        }
        if (posted < table.size()) postNeeds();
        return finishTable() ? -1 : 0;
    }

    private void postNeeds() throws IOException {
        int to = table.size();
        byte[] bits = new byte[(to - posted + 7) / 8];
        for (int i = lackingBits.nextSetBit(posted); i >= 0 && i < to; i = lackingBits.nextSetBit(i + 1)) {
            int j = i - posted;
            bits[j >> 3] |= (byte) (1 << (j & 7));
        }
        link.needs(posted, to, bits);
        posted = to;
    }

    /** The read ended: fetch and check the signed manifest. False while the master is still signing it. */
    private boolean finishTable() throws IOException {
        byte[] body;
        try {
            body = link.manifest(MAX_MANIFEST);
        } catch (ServerLink.Refused e) {
            if (e.notReady()) return false;
            throw e;
        }
        Manifest m = check.manifest(body, null);
        if (m.kind() != ImageKind.VOLUME) throw new CorruptDataException("the master's manifest is not a volume's");
        published.check(m);
        target.complete(m);
        complete = true;
        return true;
    }
}
