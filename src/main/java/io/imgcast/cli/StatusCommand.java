package io.imgcast.cli;

import io.imgcast.api.ControlJson;
import io.imgcast.api.Status;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "status", description = "Show a server's machines, their image, progress, stream and loss.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--server", defaultValue = "https://127.0.0.1:8470/", paramLabel = "URL", description = "the server (default ${DEFAULT-VALUE})") URI server;
    @Option(names = "--json", description = "print the server's status object as it sends it") boolean json;
    @Option(names = "--server-key", paramLabel = "HEX", description = "pin the server's key (at least 16 hex digits of its fingerprint; without it: trust on first use)") String serverKey;
    @Option(names = "--insecure-http", description = "allow plain HTTP to the server (a lab only)") boolean insecureHttp;
    @Option(names = "--admin-token", paramLabel = "FILE", description = "the admin token file (default: admin.token in the store directory, if readable)") Path adminToken;
    @Mixin StoreOption store;

    /**
     * GET /api/v1/status over TLS (trusting as {@code trust} says) with the admin token (may be
     * null); an unreachable or failing server is a one-line error saying what to check.
     */
    static HttpResponse<String> fetch(URI given, ClientTrust trust, String token) throws InterruptedException {
        if (given.getHost() == null) throw new CliException(ExitCode.USAGE, "--server must be a URL such as https://10.0.0.1:8470/, got '" + given + "'");
        URI server = trust.base(given);
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).sslContext(trust.context()).build();
        HttpResponse<String> r;
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(server.resolve("/api/v1/status")).timeout(Duration.ofSeconds(5));
            if (token != null) req.header(Tokens.HEADER, token);
            r = c.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException(ExitCode.ERROR, "no imgcast server answers at " + given + " (connection refused); is 'imgcast serve'"
                    + " running there? pass its address with --server URL");
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCode.ERROR, "no answer from " + given + " in time; check the address and the network");
        } catch (IOException e) {
            throw new CliException(ExitCode.ERROR, "cannot reach " + given + ": " + e);
        }
        if (r.statusCode() == 403) {
            throw new CliException(ExitCode.ERROR, given + " needs the admin token for status; run as root on the server, or pass --admin-token FILE");
        }
        if (r.statusCode() != 200) {
            throw new CliException(ExitCode.ERROR, given + " answered HTTP " + r.statusCode() + "; is it an imgcast server (or relay)?");
        }
        return r;
    }

    @Override
    public Integer call() throws Exception {
        ClientTrust trust = TrustOptions.client(serverKey, null, insecureHttp);
        String token = null;
        Path tokenFile = adminToken != null ? adminToken : store.dir().resolve("admin.token");
        if (Files.isReadable(tokenFile)) {
            token = Tokens.readAdminToken(tokenFile);
        } else if (adminToken != null) {
            throw new CliException(ExitCode.USAGE, "cannot read the admin token file " + adminToken);
        }
        HttpResponse<String> r = fetch(server, trust, token);
        if (json) {
            System.out.println(r.body());
            return 0;
        }
        Status st = ControlJson.read(Status.class, r.body());
        System.out.printf("session %s%s%n", st.session(), st.started() ? "" : " (waiting for machines)");
        if (st.fingerprint() != null) System.out.println("fingerprint: " + st.fingerprint());
        if (trust.firstUse() != null) System.out.println("(no --server-key given: trusted the server's key on first use)");
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
