package io.imgcast.server;

import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import io.imgcast.cast.ChunkTable;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.ServedImage;

import java.net.InetAddress;

/**
 * A machine on the {@link Roster}: what it asked for and what it reported. Its state changes
 * only through the roster; the counters are written under the server's lock and read without
 * it (for status).
 */
final class Machine {
    final int id;
    final String name;
    final String imageName;
    /** The image's chunk table, or null for a machine that refused to take part. */
    final ChunkTable table;
    /** Set when the machine joined while the image was still being read. */
    final LiveTable live;
    /** The image served to the machine (null for a live one until it completed, and for a refusal). */
    final ServedImage image;
    final int priority;
    volatile long lastSeenNs;
    volatile int stream;
    volatile MachineState state = MachineState.JOINING;
    volatile String error;
    volatile long needBytes;
    volatile long doneBytes;
    volatile long needChunks;
    volatile double loss;
    volatile long packets;
    volatile long rejected;
    volatile long kernelDrops;
    volatile double seconds;
    /** What its block reports may demand as repair (set at join; guarded by the server's lock). */
    RepairBudget repair;
    /** Where it joined from (null: not known); set by the roster. */
    volatile InetAddress address;
    /** The state's session it was admitted to (0: none), named in its events. */
    volatile long session;
    /** Issued at the join; the machine's later requests must carry it (null: none needed). */
    volatile String token;

    Machine(int id, String name, String imageName, ChunkTable table, LiveTable live, ServedImage image, int priority, long nowNs) {
        this.id = id;
        this.name = name;
        this.imageName = imageName;
        this.table = table;
        this.live = live;
        this.image = image;
        this.priority = priority;
        this.lastSeenNs = nowNs;
    }

    /** Took part (not a refusal). */
    boolean joined() {
        return table != null;
    }

    Status.Machine row() {
        return new Status.Machine(id, name, imageName, priority, stream, state, needBytes, doneBytes, needChunks, loss, packets,
                rejected, kernelDrops, seconds, error);
    }
}
