package io.imgcast.receiver;

import io.imgcast.cast.Wire;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a receiver counts over all its joins (a rejoin keeps counting): datagrams taken and
 * rejected, chunks that failed their hash, bytes written, and the last readings of kernel drops,
 * decodes and loss. Reported in every feedback and in the result.
 */
final class Counters {
    final AtomicLong packets = new AtomicLong();
    final AtomicLong badChunks = new AtomicLong();
    final AtomicLong written = new AtomicLong();
    private final Map<Wire.Reject, AtomicLong> rejects = new EnumMap<>(Wire.Reject.class);
    /** Receive-buffer overflows of the socket, cumulative (the largest reading). */
    volatile long kernelDrops;
    /** Blocks decoded and the loss estimate, as the last receive ended. */
    volatile long decodes;
    volatile double loss;

    Counters() {
        for (Wire.Reject r : Wire.Reject.values()) rejects.put(r, new AtomicLong());
    }

    void reject(Wire.Reject why) {
        rejects.get(why).incrementAndGet();
    }

    /** Rejected datagrams by reason and chunks that failed their hash, only the nonzero ones. */
    Map<String, Long> rejectCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        rejects.forEach((k, v) -> { if (v.get() > 0) m.put(k.name().toLowerCase(), v.get()); });
        if (badChunks.get() > 0) m.put("bad_chunk_hash", badChunks.get());
        return m;
    }

    long rejectedTotal() {
        return rejects.values().stream().mapToLong(AtomicLong::get).sum() + badChunks.get();
    }
}
