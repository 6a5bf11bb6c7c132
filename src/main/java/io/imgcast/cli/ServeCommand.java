package io.imgcast.cli;

import io.imgcast.api.MachineState;
import io.imgcast.api.Status;
import io.imgcast.net.McastSocket;
import io.imgcast.server.CastServer;
import io.imgcast.state.StateDb;
import io.imgcast.store.Store;
import io.imgcast.trust.ServerTrust;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "serve", description = "Serve images from the store to many machines over multicast, with an HTTP control API and dashboard.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--interface", required = true, paramLabel = "IF", description = "network interface for the multicast stream, e.g. eth0") String iface;
    @Option(names = "--group", defaultValue = "239.77.0.1:9000", paramLabel = "ADDR:PORT", description = "multicast group of stream 0 (stream n uses PORT+n; default ${DEFAULT-VALUE})") String group;
    @Option(names = "--rate", defaultValue = "950Mbit", paramLabel = "BITS/S", converter = UnitConverters.BitRate.class,
            description = "rate cap in bits per second, e.g. 950Mbit, 1Gbit, or in bytes as 100MB/s (default ${DEFAULT-VALUE})") long rate;
    @Option(names = "--listen", defaultValue = "0.0.0.0:8470", paramLabel = "HOST:PORT", description = "HTTP control API and dashboard (default ${DEFAULT-VALUE})") String listen;
    @Option(names = "--streams", defaultValue = "2", paramLabel = "N", description = "maximum multicast streams; slow machines move to stream 1 (default ${DEFAULT-VALUE})") int streams;
    @Option(names = "--min-machines", defaultValue = "1", paramLabel = "N", description = "hold data until this many machines joined ... (default ${DEFAULT-VALUE})") int minMachines;
    @Option(names = "--wait", defaultValue = "30", paramLabel = "SECONDS", description = "... or this long after the first joined (default ${DEFAULT-VALUE})") long waitSeconds;
    @Option(names = "--machine-timeout", defaultValue = "15", paramLabel = "SECONDS", description = "drop a machine silent this long (default ${DEFAULT-VALUE})") long machineTimeout;
    @Option(names = "--exit-after-idle", paramLabel = "SECONDS", description = "exit once machines finished and none was active this long;"
            + " the exit status is 1 if a machine failed (default: serve until stopped)") Long exitAfterIdle;
    @Option(names = "--encrypt", description = "encrypt the data (AES-GCM; the key goes to each machine when it joins)") boolean encrypt;
    @Option(names = "--ttl", defaultValue = "1", paramLabel = "N", description = "multicast TTL (default ${DEFAULT-VALUE})") int ttl;
    @Option(names = "--priority-rule", paramLabel = "CIDR=N", description = "machines in this network get at least priority N (repeatable)")
    List<String> priorityRules = new ArrayList<>();
    @Option(names = "--priority-files", paramLabel = "FILE", description = "globs, one per line (e.g. boot/**): the chunks of matching files go first to every machine needing them")
    java.nio.file.Path priorityFiles;
    @Option(names = "--favour", defaultValue = "0.5", paramLabel = "0..1", description = "moving machines between streams weighs restore time by this and wire by the rest (1: time only, 0: wire only; default ${DEFAULT-VALUE})")
    double favourTime;
    @Mixin StoreOption store;
    @Mixin TrustOptions.Serve trustOptions;
    @Mixin StateOption state;

    @Override
    public Integer call() throws Exception {
        Checks.networkInterface(iface);
        InetSocketAddress http = Checks.hostPort("--listen", listen);
        CastServer.Config cfg = new CastServer.Config(iface, McastSocket.parseGroup(group), rate, http, streams,
                machineTimeout * 1000, minMachines, waitSeconds * 1000, ttl,
                priorityRules.stream().map(CastServer.PriorityRule::parse).toList());
        if (favourTime < 0 || favourTime > 1) throw new IllegalArgumentException("--favour must be between 0 and 1, not " + favourTime);
        cfg = cfg.withFavourTime(favourTime);
        if (priorityFiles != null) cfg = cfg.withPriorityFiles(priorityFiles);
        try (Store s = store.open(); StateDb db = StateDb.open(state.dir())) {
            ServerTrust trust = trustOptions.trust(s, System.out, db);
            if (encrypt && !trust.tls()) {
                System.err.println("imgcast serve: warning: with --insecure-http the join replies carry the data key of --encrypt"
                        + " (and the datagram key) in clear: anyone on the segment who reads them can read and forge the data");
            }
            try (CastServer server = new CastServer(s, cfg, trust, encrypt)) {
                server.enableAdmin(db);
                server.start();
                // the URL the admin commands on this machine find in the state directory: https unless --insecure-http
                String url = server.controlUrl(server.httpAddress().getAddress().isAnyLocalAddress() ? "127.0.0.1" : http.getHostString());
                Path urlFile = db.dir().resolve(StateOption.SERVER_URL);
                Path trustFile = db.dir().resolve(Admin.TRUST_FILE);
                // what the admin commands on this machine pin and send (Admin); written before the URL they look for
                StringBuilder named = new StringBuilder();
                if (server.fingerprint() != null) named.append("fingerprint=").append(server.fingerprint()).append('\n');
                if (trust.adminToken() != null) {
                    named.append("admin-token=").append(trustOptions.tokenFile(s).toString().replace("\\", "\\\\")).append('\n');
                }
                Files.writeString(trustFile, named);
                Files.writeString(urlFile, url + "\n");
                Runnable forget = () -> {
                    try {
                        if (Files.exists(urlFile) && Files.readString(urlFile).trim().equals(url)) {
                            Files.delete(urlFile);
                            Files.deleteIfExists(trustFile);
                        }
                    } catch (IOException ignored) {
                        // another server took the state over meanwhile, or it is gone: nothing to forget
                    }
                };
                Runtime.getRuntime().addShutdownHook(new Thread(forget));
                System.out.printf("serving store %s: control %s , stream 0 on %s via %s, session %d; state %s%n", s.dir(),
                        server.controlUrl(http.getHostString()), group, iface, server.session(), db.dir());
                System.out.println("fingerprint: " + server.fingerprint());
                System.out.flush();
                try {
                    return serveUntilIdle(server, exitAfterIdle);
                } finally {
                    forget.run();
                }
            }
        }
    }

    /**
     * Prints the machines' state whenever it changes; returns when idle (if asked: 0, or 1 if a
     * machine failed, was lost or refused) or when the server failed (1).
     */
    static int serveUntilIdle(CastServer server, Long exitAfterIdle) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        String lastLine = "";
        while (true) {
            Thread.sleep(1000);
            if (server.failure() != null) {
                System.err.println("imgcast: " + server.failure());
                return ExitCode.ERROR.code;
            }
            String line = summary(server.status());
            if (!line.equals(lastLine)) {
                System.out.println(line);
                System.out.flush();
                lastLine = line;
            }
            if (exitAfterIdle != null && server.idle(exitAfterIdle * 1000)) {
                System.out.println("all machines finished; exiting");
                System.out.println(traffic(server.status()));
                List<String> failed = failedMachines(server.status());
                if (!failed.isEmpty()) {
                    System.err.println("imgcast: " + failed.size() + " machine(s) did not finish: " + String.join(", ", failed));
                    return ExitCode.ERROR.code;
                }
                return ExitCode.OK.code;
            }
        }
    }

    /** The machines whose state is failed, lost or refused, as "name (state)". */
    static List<String> failedMachines(Status st) {
        List<String> out = new ArrayList<>();
        for (Status.Machine m : st.machines()) {
            MachineState state = m.state();
            if (state == MachineState.FAILED || state == MachineState.LOST || state == MachineState.REFUSED) {
                out.add(m.machine() + " (" + state + ")");
            }
        }
        return out;
    }

    /** What the session put on the network: multicast packets by kind, and the control API's replies. */
    static String traffic(Status st) {
        StringBuilder sb = new StringBuilder("sent:");
        for (Status.Stream s : st.streams()) {
            if (s.packets() == 0) continue;
            sb.append(String.format(" stream %s %d packets %s (%d repair, %d directory);", s.stream(), s.packets(),
                    Units.bytes(s.bytes()), s.repairPackets(), s.directoryPackets()));
        }
        sb.append(" control replies ").append(Units.bytes(st.controlBytesSent()));
        return sb.toString();
    }

    static String summary(Status st) {
        StringBuilder sb = new StringBuilder();
        for (Status.Machine m : st.machines()) {
            sb.append(String.format("%s[%s %s %d%%%s] ", m.machine(), m.image(), m.state(), m.percent(), m.stream() > 0 ? " slow" : ""));
        }
        return sb.isEmpty() ? "waiting for machines" : sb.toString().trim();
    }
}
