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
    @Option(names = "--server", defaultValue = "http://127.0.0.1:8470/", paramLabel = "URL", description = "the server's control API (default ${DEFAULT-VALUE})") URI server;
    @Option(names = "--json", description = "print the server's status object as it sends it") boolean json;

    /** GET /api/v1/status; an unreachable or failing server is a one-line error saying what to check. */
    static HttpResponse<String> fetch(URI server) throws InterruptedException {
        if (server.getHost() == null) throw new CliException(ExitCode.USAGE, "--server must be a URL such as http://10.0.0.1:8470/, got '" + server + "'");
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpResponse<String> r;
        try {
            r = c.send(HttpRequest.newBuilder(server.resolve("/api/v1/status")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new CliException(ExitCode.ERROR, "no imgcast server answers at " + server + " (connection refused); is 'imgcast serve'"
                    + " running there? pass its address with --server URL");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new CliException(ExitCode.ERROR, "no answer from " + server + " in time; check the address and the network");
        } catch (java.io.IOException e) {
            throw new CliException(ExitCode.ERROR, "cannot reach " + server + ": " + e);
        }
        if (r.statusCode() != 200) {
            throw new CliException(ExitCode.ERROR, server + " answered HTTP " + r.statusCode() + "; is it an imgcast server (or relay)?");
        }
        return r;
    }

    @Override
    public Integer call() throws Exception {
        HttpResponse<String> r = fetch(server);
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
