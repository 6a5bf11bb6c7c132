package io.imgcast.server;

import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    /** A sample line of the text format: name, optional labels, a number. */
    static final Pattern SAMPLE = Pattern.compile("[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*})? -?[0-9.]+");

    @Test
    void everyLineIsHelpTypeOrASampleAndTheFiguresAreRight() {
        Status st = new Status(9, true, List.of(
                new Status.Stream(0, "g0", 900_000_000L, 1000, 1_464_000, 100, 20, 2, 0, 0),
                new Status.Stream(1, "g1", 225_000_000L, 0, 0, 0, 0, 0, 0, 0)), 777, List.of(
                new Status.Machine(1, "pc1", "a", 0, 0, MachineState.RECEIVING, 10, 5, 0, 0.02, 0, 0, 0, 0, null),
                new Status.Machine(2, "pc2", "b", 0, 0, MachineState.RECEIVING, 10, 5, 0, 0.04, 0, 0, 0, 0, null),
                new Status.Machine(3, "pc3", "b", 0, 0, MachineState.FAILED, 10, 5, 0, 0.5, 0, 0, 0, 0, "x")));
        String text = Metrics.text(st, new Metrics.Extra(3, 123_456));
        for (String line : text.lines().toList()) {
            assertTrue(line.startsWith("# HELP imgcast_") || line.startsWith("# TYPE imgcast_") || SAMPLE.matcher(line).matches(), line);
        }
        assertTrue(text.endsWith("\n"));
        assertTrue(text.contains("imgcast_machines{state=\"receiving\"} 2\n"), text);
        assertTrue(text.contains("imgcast_machines{state=\"failed\"} 1\n"), text);
        assertTrue(text.contains("imgcast_machines{state=\"lost\"} 0\n"), "every state, zero included");
        assertTrue(text.contains("imgcast_stream_bytes_total{stream=\"0\"} 1464000\n"));
        assertTrue(text.contains("imgcast_stream_packets_total{stream=\"0\",kind=\"repair\"} 100\n"));
        assertTrue(text.contains("imgcast_repair_share 0.100000\n"), "100 of 1000 packets");
        assertTrue(text.contains("imgcast_loss_reported_ratio 0.030000\n"), "mean of the active machines only");
        assertTrue(text.contains("imgcast_stream_rate_bits_per_second{stream=\"1\"} 225000000\n"));
        assertTrue(text.contains("imgcast_sessions_total 3\n"));
        assertTrue(text.contains("imgcast_session_running 1\n"));
        assertTrue(text.contains("imgcast_store_bytes 123456\n"));
        assertTrue(text.contains("imgcast_control_reply_bytes_total 777\n"));
        assertEquals(1, text.lines().filter(l -> l.equals("# TYPE imgcast_machines gauge")).count());
    }
}
