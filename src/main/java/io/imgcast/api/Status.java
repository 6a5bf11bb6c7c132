package io.imgcast.api;

import java.util.List;

/**
 * {@code GET /api/v1/status}: the session, whether data flows yet, each stream and each machine
 * on the list (by id), and the fingerprint of the server's key (what receivers pin).
 */
public record Status(int session, boolean started, List<Stream> streams, long controlBytesSent, List<Machine> machines, String fingerprint) {
    /** A status without the server's key fingerprint (a server that has none to show). */
    public Status(int session, boolean started, List<Stream> streams, long controlBytesSent, List<Machine> machines) {
        this(session, started, streams, controlBytesSent, machines, null);
    }

    /** One multicast stream's counters. */
    public record Stream(int stream, String group, long rateBps, long packets, long bytes, long repairPackets,
                         long directoryPackets, int machines, int pendingChunks, int activeBlocks) {}

    /** One machine on the list; {@code error} only for a machine that failed, was lost or refused. */
    public record Machine(int id, String machine, String image, int priority, int stream, MachineState state,
                          long needBytes, long doneBytes, long remainingChunks, double loss, long packets, long rejected,
                          long kernelDrops, double seconds, String error) {
        /** Percent of its needs written (100 for a machine that needed nothing and is done). */
        public int percent() {
            if (needBytes == 0) return state == MachineState.DONE ? 100 : 0;
            return (int) Math.min(100, doneBytes * 100 / needBytes);
        }
    }

    /** Bytes all streams sent. */
    public long streamBytes() {
        long t = 0;
        for (Stream s : streams) t += s.bytes();
        return t;
    }
}
