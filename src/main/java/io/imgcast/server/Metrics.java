package io.imgcast.server;

import io.imgcast.api.MachineState;
import io.imgcast.api.Status;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /metrics}: the server's counters in the Prometheus text format (version 0.0.4), for
 * a scraper. Open by default ({@code serve --metrics admin} asks for the admin token): it names no
 * machine and no image, only counts. Pure: a {@link Status} and the figures the status lacks in,
 * text out.
 *
 * <pre>
 * imgcast_sessions_total             counter  sessions the admin started (state), 0 without a state
 * imgcast_session_running            gauge    1 while data may flow
 * imgcast_machines{state="…"}        gauge    machines on the list by state (every state, 0 included)
 * imgcast_stream_bytes_total{stream} counter  bytes sent on each multicast stream
 * imgcast_stream_packets_total{stream,kind}  counter  packets: kind="all", "repair", "directory"
 * imgcast_stream_rate_bits_per_second{stream} gauge  each stream's current rate
 * imgcast_repair_share               gauge    repair packets / all packets (0 before any)
 * imgcast_loss_reported_ratio        gauge    mean loss the active machines report
 * imgcast_control_reply_bytes_total  counter  bytes of control API replies
 * imgcast_store_bytes                gauge    bytes of the store's packs on disk
 * </pre>
 */
public final class Metrics {
    /** What the status does not carry: sessions started so far, and the store's size on disk. */
    public record Extra(long sessionsStarted, long storeBytes) {}

    private Metrics() {}

    public static String text(Status st, Extra extra) {
        StringBuilder sb = new StringBuilder(2048);
        metric(sb, "imgcast_sessions_total", "counter", "Sessions the admin started (kept in the state).");
        sb.append("imgcast_sessions_total ").append(extra.sessionsStarted()).append('\n');
        metric(sb, "imgcast_session_running", "gauge", "1 while data may flow (the start gate is open and no session waits).");
        sb.append("imgcast_session_running ").append(st.started() ? 1 : 0).append('\n');
        metric(sb, "imgcast_machines", "gauge", "Machines on the server's list, by state.");
        Map<MachineState, Integer> by = new EnumMap<>(MachineState.class);
        for (MachineState s : MachineState.values()) by.put(s, 0);
        double loss = 0;
        int active = 0;
        for (Status.Machine m : st.machines()) {
            by.merge(m.state(), 1, Integer::sum);
            if (m.state().active()) {
                loss += m.loss();
                active++;
            }
        }
        by.forEach((s, n) -> sb.append("imgcast_machines{state=\"").append(s).append("\"} ").append(n).append('\n'));
        metric(sb, "imgcast_stream_bytes_total", "counter", "Bytes sent on each multicast stream.");
        for (Status.Stream s : st.streams()) sb.append("imgcast_stream_bytes_total{stream=\"").append(s.stream()).append("\"} ").append(s.bytes()).append('\n');
        metric(sb, "imgcast_stream_packets_total", "counter", "Packets sent on each multicast stream: all, of which repair and directory.");
        long packets = 0;
        long repair = 0;
        for (Status.Stream s : st.streams()) {
            String l = "imgcast_stream_packets_total{stream=\"" + s.stream() + "\",kind=\"";
            sb.append(l).append("all\"} ").append(s.packets()).append('\n');
            sb.append(l).append("repair\"} ").append(s.repairPackets()).append('\n');
            sb.append(l).append("directory\"} ").append(s.directoryPackets()).append('\n');
            packets += s.packets();
            repair += s.repairPackets();
        }
        metric(sb, "imgcast_stream_rate_bits_per_second", "gauge", "Each stream's current rate.");
        for (Status.Stream s : st.streams()) sb.append("imgcast_stream_rate_bits_per_second{stream=\"").append(s.stream()).append("\"} ").append(s.rateBps()).append('\n');
        metric(sb, "imgcast_repair_share", "gauge", "Repair packets as a share of all packets sent.");
        sb.append("imgcast_repair_share ").append(number(packets == 0 ? 0 : (double) repair / packets)).append('\n');
        metric(sb, "imgcast_loss_reported_ratio", "gauge", "Mean loss the active machines report (0..1).");
        sb.append("imgcast_loss_reported_ratio ").append(number(active == 0 ? 0 : loss / active)).append('\n');
        metric(sb, "imgcast_control_reply_bytes_total", "counter", "Bytes of control API replies sent.");
        sb.append("imgcast_control_reply_bytes_total ").append(st.controlBytesSent()).append('\n');
        metric(sb, "imgcast_store_bytes", "gauge", "Bytes of the store's packs on disk.");
        sb.append("imgcast_store_bytes ").append(extra.storeBytes()).append('\n');
        return sb.toString();
    }

    private static void metric(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String number(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }
}
