package io.imgcast.cli;

import io.imgcast.api.Status;
import io.imgcast.net.McastSocket;
import io.imgcast.peer.PeerMaster;
import io.imgcast.util.Json;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Options of a peer-to-peer master (send, apply --rebroadcast), and how it reports. */
final class MasterOptions {
    static final String DEFAULT_ANNOUNCE = "239.77.0.254:9099";

    @Option(names = "--interface", paramLabel = "IF", description = "network interface the receivers are on, e.g. eth0 (required)") String iface;
    @Option(names = "--group", defaultValue = "239.77.1.1:9000", paramLabel = "ADDR:PORT", description = "multicast group of the data (stream n uses PORT+n; default ${DEFAULT-VALUE})") String group;
    @Option(names = "--announce", defaultValue = DEFAULT_ANNOUNCE, paramLabel = "ADDR:PORT", description = "group the session is announced on (default ${DEFAULT-VALUE}; receivers use the same)") String announce;
    @Option(names = "--listen", defaultValue = "0.0.0.0:8471", paramLabel = "HOST:PORT", description = "control API for the receivers (default ${DEFAULT-VALUE})") String listen;
    @Option(names = "--rate", defaultValue = "950Mbit", paramLabel = "BITS/S", converter = UnitConverters.BitRate.class,
            description = "rate cap in bits per second, e.g. 950Mbit, 1Gbit, or in bytes as 100MB/s (default ${DEFAULT-VALUE})") long rate;
    @Option(names = "--streams", defaultValue = "2", paramLabel = "N", description = "maximum multicast streams; slow receivers move to stream 1 (default ${DEFAULT-VALUE})") int streams;
    @Option(names = "--min-receivers", defaultValue = "1", paramLabel = "N", description = "start as soon as N receivers joined (default ${DEFAULT-VALUE})") int minReceivers;
    @Option(names = "--wait", defaultValue = "60", paramLabel = "SECONDS", description = "... or this long after the image is ready, with whoever joined; fail if no one did (default ${DEFAULT-VALUE}). Enter on the terminal, or SIGUSR1, starts at once") long waitSeconds;
    @Option(names = "--machine-timeout", defaultValue = "15", paramLabel = "SECONDS", description = "drop a receiver silent this long (default ${DEFAULT-VALUE})") long machineTimeout;
    @Option(names = "--linger", defaultValue = "2", paramLabel = "SECONDS", description = "after the last receiver finished, wait this long for late ones before ending (default ${DEFAULT-VALUE})") long lingerSeconds;
    @Option(names = "--insecure-http", description = "plain HTTP on the control port, no TLS: anyone on the segment can read the session's"
            + " keys and the receivers' tokens in the join replies (a lab only; receivers need --insecure-http too)") boolean insecureHttp;
    @Option(names = "--ttl", defaultValue = "1", paramLabel = "N", description = "multicast TTL (default ${DEFAULT-VALUE})") int ttl;

    PeerMaster.Config config() {
        if (iface == null) throw new CliException(ExitCode.USAGE, "--interface is required: the network interface the receivers are on");
        Checks.networkInterface(iface);
        InetSocketAddress http = Checks.hostPort("--listen", listen);
        return new PeerMaster.Config(iface, McastSocket.parseGroup(group), McastSocket.parseGroup(announce), http, rate,
                streams, Math.max(1, minReceivers), waitSeconds * 1000, machineTimeout * 1000, lingerSeconds * 1000, ttl);
    }

    /** A master for {@code cfg} signing with {@code key} (null: a fresh one), its control port as --insecure-http says (with a warning). */
    PeerMaster master(PeerMaster.Config cfg, KeyPair key, PrintStream say) {
        PeerMaster pm = key == null ? new PeerMaster(cfg) : new PeerMaster(cfg, key);
        pm.insecureHttp(insecureHttp);
        if (insecureHttp) say.println("warning: plain HTTP on the control port (--insecure-http): no TLS, for a lab only");
        return pm;
    }

    /** Lets the operator start at once: Enter on a terminal, or SIGUSR1. */
    static void operatorStart(PeerMaster master, PrintStream say) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> master.go());
        } catch (IllegalArgumentException | UnsupportedOperationException ignored) {
            // no such signal here
        }
        if (System.console() != null && System.console().isTerminal()) {
            say.println("press Enter to start with the receivers that have joined");
            Thread.ofPlatform().daemon().name("imgcast-keys").start(() -> {
                try {
                    if (System.in.read() >= 0) master.go();
                } catch (IOException ignored) {
                    // no terminal input
                }
            });
        }
    }

    /** Prints the live list of receivers whenever it changes. */
    static Consumer<Status> liveList(PrintStream out) {
        String[] last = {""};
        return st -> {
            String line = ServeCommand.summary(st);
            if (!line.equals(last[0])) {
                out.println(line.equals("waiting for machines") ? "waiting for receivers" : line);
                out.flush();
                last[0] = line;
            }
        };
    }

    /** The per-receiver summary, as text or one JSON object; the exit status. */
    static int report(PeerMaster.Summary s, boolean json, PrintStream out, Map<String, Object> extra) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", s.ok());
            m.put("error", s.error());
            m.put("session", s.session());
            m.put("seconds", s.seconds());
            m.putAll(extra);
            m.put("receivers", s.receivers());
            out.println(Json.write(m));
        } else {
            out.printf("session %d ended after %.1f s:%n", s.session(), s.seconds());
            for (Status.Machine r : s.receivers()) {
                out.printf("  %-16s %-9s %6.1f s%s%n", r.machine(), r.state(), r.seconds(), r.error() == null ? "" : "  " + r.error());
            }
            if (s.ok()) out.println("all " + s.receivers().size() + " receivers succeeded (verified)");
            else System.err.println("imgcast: " + s.error());
        }
        out.flush();
        return s.ok() ? ExitCode.OK.code : ExitCode.ERROR.code;
    }
}
