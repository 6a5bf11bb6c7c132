package io.imgcast.cast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Receive-buffer overflows the kernel counted for UDP sockets on a local port, read from
 * /proc/self/net/udp (per network namespace). Kept apart from network loss: they mean this
 * machine did not drain its socket fast enough, and they slow the stream down.
 */
final class KernelDrops {
    private KernelDrops() {}

    static long forPort(int port) {
        if (port <= 0) return 0;
        String hexPort = String.format(":%04X", port);
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/net/udp"));
            long sum = 0;
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length >= 13 && f[1].endsWith(hexPort)) sum += Long.parseLong(f[f.length - 1]);
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
