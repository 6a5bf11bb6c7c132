package io.imgcast.cli;

import io.imgcast.api.ControlJson;
import io.imgcast.api.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "status", description = "Show a server's machines, their image, progress, stream and loss.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--server", defaultValue = "http://127.0.0.1:8470/", paramLabel = "URL") URI server;
    @Option(names = "--json") boolean json;

    @Override
    public Integer call() throws Exception {
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(server.resolve("/api/v1/status")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (json) {
            System.out.println(r.body());
            return 0;
        }
        Status st = ControlJson.read(Status.class, r.body());
        System.out.printf("session %s%s%n", st.session(), st.started() ? "" : " (waiting for machines)");
        for (Status.Stream s : st.streams()) {
            System.out.printf("stream %s %s: %.0f Mbit/s cap, %.1f MiB sent, %s repair packets, %s machines%n", s.stream(), s.group(),
                    s.rateBps() / 1e6, s.bytes() / 1048576.0, s.repairPackets(), s.machines());
        }
        System.out.printf("%-16s %-16s %-10s %6s %6s %8s%n", "MACHINE", "IMAGE", "STATE", "DONE", "STREAM", "LOSS");
        for (Status.Machine m : st.machines()) {
            long need = m.needBytes();
            System.out.printf("%-16s %-16s %-10s %5d%% %6s %7.1f%%%s%n", m.machine(), m.image(), m.state(),
                    need == 0 ? 100 : m.doneBytes() * 100 / need, m.stream(), m.loss() * 100, m.error() != null ? "  " + m.error() : "");
        }
        return 0;
    }
}
