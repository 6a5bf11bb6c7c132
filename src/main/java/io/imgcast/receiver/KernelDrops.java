package io.imgcast.receiver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's view of UDP sockets on a local port, read from /proc/self/net/udp (per network
 * namespace): receive-buffer overflows, kept apart from network loss (they mean this machine did
 * not drain its socket fast enough, and they slow the stream down), and the bytes waiting in the
 * receive queue (datagrams that arrived but were not read yet).
 */
final class KernelDrops {
    private KernelDrops() {}

    /** Overflows (cumulative) and bytes queued now, summed over the port's sockets. */
    record Socket(long drops, long queuedBytes) {}

    static Socket forPort(int port) {
        if (port <= 0) return new Socket(0, 0);
        String hexPort = String.format(":%04X", port);
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/net/udp"));
            long drops = 0;
            long queued = 0;
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length >= 13 && f[1].endsWith(hexPort)) {
                    drops += Long.parseLong(f[f.length - 1]);
                    String q = f[4]; // tx_queue:rx_queue, hex
                    queued += Long.parseLong(q.substring(q.indexOf(':') + 1), 16);
                }
            }
            return new Socket(drops, queued);
        } catch (IOException | RuntimeException e) {
            return new Socket(0, 0);
        }
    }
}
