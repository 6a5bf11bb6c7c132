package io.imgcast.cli;

import io.imgcast.net.McastSocket;
import io.imgcast.peer.RelayCatalog;
import io.imgcast.server.CastServer;
import io.imgcast.store.Store;
import io.imgcast.trust.ClientTrust;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(mixinStandardHelpOptions = true, name = "relay",
        description = {"Carry a server's images into another network segment: receive them from the server on the upstream"
                + " interface into a local store (once, when first asked for, or at start with --image), and serve them on"
                + " --interface exactly as the server does: machines behind the relay run 'imgcast receive --server https://RELAY:8470/'."})
final class RelayCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, paramLabel = "URL", description = "the upstream server, e.g. https://10.0.0.1:8470/") URI server;
    @Option(names = "--interface", required = true, paramLabel = "IF", description = "interface of the segment the relay serves") String iface;
    @Option(names = "--upstream-interface", paramLabel = "IF", description = "interface towards the server (default: the one routing to it)") String upstreamIface;
    @Option(names = "--image", paramLabel = "NAME", description = "fetch this image at start (repeatable); others are fetched when first asked for") List<String> images = new ArrayList<>();
    @Option(names = "--group", defaultValue = "239.77.2.1:9000", paramLabel = "ADDR:PORT", description = "multicast group on the served segment (default ${DEFAULT-VALUE})") String group;
    @Option(names = "--rate", defaultValue = "950Mbit", paramLabel = "BITS/S", converter = UnitConverters.BitRate.class,
            description = "rate cap in bits per second, e.g. 950Mbit, 1Gbit, or in bytes as 100MB/s (default ${DEFAULT-VALUE})") long rate;
    @Option(names = "--listen", defaultValue = "0.0.0.0:8470", paramLabel = "HOST:PORT", description = "control API for the machines behind the relay (default ${DEFAULT-VALUE})") String listen;
    @Option(names = "--streams", defaultValue = "2", paramLabel = "N", description = "maximum multicast streams; slow machines move to stream 1 (default ${DEFAULT-VALUE})") int streams;
    @Option(names = "--min-machines", defaultValue = "1", paramLabel = "N", description = "hold data until this many machines joined ... (default ${DEFAULT-VALUE})") int minMachines;
    @Option(names = "--wait", defaultValue = "30", paramLabel = "SECONDS", description = "... or this long after the first joined (default ${DEFAULT-VALUE})") long waitSeconds;
    @Option(names = "--machine-timeout", defaultValue = "15", paramLabel = "SECONDS", description = "drop a machine silent this long (default ${DEFAULT-VALUE})") long machineTimeout;
    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "give up fetching after this long without progress from upstream (default ${DEFAULT-VALUE})") long timeout;
    @Option(names = "--exit-after-idle", paramLabel = "SECONDS", description = "exit once machines finished and none was active this long;"
            + " the exit status is 1 if a machine failed (default: relay until stopped)") Long exitAfterIdle;
    @Option(names = "--ttl", defaultValue = "1", paramLabel = "N", description = "multicast TTL (default ${DEFAULT-VALUE})") int ttl;
    @Mixin StoreOption store;
    @Mixin TrustOptions.Serve trustOptions;
    @Option(names = "--server-key", paramLabel = "HEX", description = "pin the upstream server's key (at least 16 hex digits of its fingerprint;"
            + " without it: trust on first use)") String serverKey;
    @Option(names = "--upstream-insecure-http", description = "allow plain HTTP to the upstream server (a lab only)") boolean upstreamInsecure;

    @Override
    public Integer call() throws Exception {
        Checks.networkInterface(iface);
        if (upstreamIface != null) Checks.networkInterface(upstreamIface);
        InetSocketAddress http = Checks.hostPort("--listen", listen);
        CastServer.Config cfg = new CastServer.Config(iface, McastSocket.parseGroup(group), rate, http, streams,
                machineTimeout * 1000, minMachines, waitSeconds * 1000, ttl, List.of());
        ClientTrust upTrust = TrustOptions.client(serverKey, null, upstreamInsecure);
        URI up;
        try {
            up = upTrust.base(server);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        String upIf = upstreamIface != null ? upstreamIface : routeInterface(up);
        String machine = "relay/" + McastSocket.ipv4(McastSocket.iface(upIf)).getHostAddress();
        try (Store s = store.openOrCreate(System.out);
             RelayCatalog catalog = new RelayCatalog(s, up, upTrust, upIf, machine, timeout * 1000, msg -> {
                 System.out.println("relay: " + msg);
                 System.out.flush();
             });
             CastServer srv = new CastServer(catalog, cfg, trustOptions.trust(s, System.out))) {
            srv.start();
            System.out.printf("relaying %s (via %s) to %s: control %s , stream 0 on %s, store %s, session %d%n", up, upIf,
                    iface, srv.controlUrl(http.getHostString()), group, s.dir(), srv.session());
            System.out.println("fingerprint: " + srv.fingerprint());
            System.out.flush();
            for (String i : images) catalog.prefetch(i);
            return ServeCommand.serveUntilIdle(srv, exitAfterIdle);
        }
    }

    /** The interface the kernel would use to reach the server (ip route get). */
    private static String routeInterface(URI up) throws Exception {
        String host = InetAddress.getByName(up.getHost()).getHostAddress();
        Process p = new ProcessBuilder("ip", "-o", "route", "get", host).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        Matcher m = Pattern.compile(" dev (\\S+)").matcher(out);
        if (!m.find()) throw new IllegalArgumentException("cannot tell which interface reaches " + host + " (" + out + "); give --upstream-interface");
        return m.group(1);
    }
}
