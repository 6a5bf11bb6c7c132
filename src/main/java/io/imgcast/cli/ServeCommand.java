package io.imgcast.cli;

import io.imgcast.api.MachineState;
import io.imgcast.boot.BootHttp;
import io.imgcast.boot.Dnsmasq;
import io.imgcast.boot.IpxeScript;
import io.imgcast.api.Status;
import io.imgcast.net.McastSocket;
import io.imgcast.console.Console;
import io.imgcast.server.CastServer;
import io.imgcast.server.EventLog;
import io.imgcast.state.StateDb;
import io.imgcast.store.Store;
import io.imgcast.trust.ServerTrust;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

@Command(mixinStandardHelpOptions = true, name = "serve", description = "Serve images from the store to many machines over multicast, with an HTTP control API and dashboard.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--interface", required = true, paramLabel = "IF", description = "network interface for the multicast stream, e.g. eth0") String iface;
    @Option(names = "--group", defaultValue = "239.77.0.1:9000", paramLabel = "ADDR:PORT", description = "multicast group of stream 0 (stream n uses PORT+n; default ${DEFAULT-VALUE})") String group;
    @Option(names = "--rate", defaultValue = "950Mbit", paramLabel = "BITS/S", converter = UnitConverters.BitRate.class,
            description = "rate cap in bits per second, e.g. 950Mbit, 1Gbit, or in bytes as 100MB/s (default ${DEFAULT-VALUE})") long rate;
    @Option(names = "--listen", defaultValue = "0.0.0.0:8470", paramLabel = "HOST:PORT", description = "HTTP control API and dashboard (default ${DEFAULT-VALUE})") String listen;
    @Option(names = "--streams", defaultValue = "2", paramLabel = "N", description = "maximum multicast streams; slow machines move to stream 1 (default ${DEFAULT-VALUE})") int streams;
    @Option(names = "--min-machines", defaultValue = "1", paramLabel = "N", description = "hold data until this many machines joined ... (default ${DEFAULT-VALUE})") int minMachines;
    @Option(names = "--wait", defaultValue = "30", paramLabel = "SECONDS", description = "... or this long after the first (default ${DEFAULT-VALUE})") long waitSeconds;
    @Option(names = "--machine-timeout", defaultValue = "15", paramLabel = "SECONDS", description = "drop a machine silent this long (default ${DEFAULT-VALUE})") long machineTimeout;
    @Option(names = "--exit-after-idle", paramLabel = "SECONDS", description = "exit once machines finished and none was active this long;"
            + " the exit status is 1 if a machine failed (default: serve until stopped)") Long exitAfterIdle;
    @Option(names = "--encrypt", description = "encrypt the data (AES-GCM; the key goes to each machine when it joins)") boolean encrypt;
    @Option(names = "--ttl", defaultValue = "1", paramLabel = "N", description = "multicast TTL (default ${DEFAULT-VALUE})") int ttl;
    @Option(names = "--priority-rule", paramLabel = "CIDR=N", description = "machines in this network get at least priority N (repeatable)")
    List<String> priorityRules = new ArrayList<>();
    @Option(names = "--log-json", description = "log one JSON object per line (time, event, machine, image, stream, detail) instead of text")
    boolean logJson;
    @Option(names = "--console-password-file", paramLabel = "FILE",
            description = "set the admin console's password from the first line of FILE (stored hashed; as 'imgcast console passwd')")
    Path consolePasswordFile;
    @Option(names = "--metrics", defaultValue = "open", paramLabel = "open|admin",
            description = "who may read /metrics (Prometheus text format): anyone (open, for scrapers), or callers with the admin token (default ${DEFAULT-VALUE})")
    String metrics;
    @Option(names = "--boot", description = "network boot: serve the boot files and each machine's iPXE script over plain HTTP"
            + " (--boot-listen), and run dnsmasq on --interface for DHCP and TFTP (proxy-DHCP beside the site's DHCP server,"
            + " or --dhcp-range on an isolated network)") boolean boot;
    @Option(names = "--boot-dir", paramLabel = "DIR", description = "with --boot: where vmlinuz and initrd.img are ('imgcast boot build --out DIR';"
            + " default: the state dir's boot/)") Path bootDir;
    @Option(names = "--boot-listen", defaultValue = "0.0.0.0:8480", paramLabel = "ADDR:PORT", description = "with --boot: the plain-HTTP"
            + " listener of the boot files and scripts (default ${DEFAULT-VALUE})") String bootListen;
    @Option(names = "--dhcp-range", paramLabel = "START,END", description = "with --boot: hand out these addresses (an isolated network only);"
            + " without it dnsmasq is a proxy-DHCP server beside the site's") String dhcpRange;
    @Option(names = "--tftp-dir", paramLabel = "DIR", description = "with --boot: where undionly.kpxe and ipxe.efi are (default: "
            + "/usr/lib/ipxe, Debian's ipxe package)") Path tftpDir;
    @Option(names = "--no-dhcp", description = "with --boot: run no dnsmasq (the site's DHCP server already points iPXE at the script)") boolean noDhcp;
    @Option(names = "--priority-files", paramLabel = "FILE", description = "globs, one per line (e.g. boot/**): the chunks of matching files go first to every machine needing them")
    Path priorityFiles;
    @Option(names = "--favour", defaultValue = "0.5", paramLabel = "0..1", description = "moving machines between streams weighs restore time by this and wire by the rest (1: time only, 0: wire only; default ${DEFAULT-VALUE})")
    double favourTime;
    @Mixin StoreOption store;
    @Mixin TrustOptions.Serve trustOptions;
    @Mixin StateOption state;

    @Override
    public Integer call() throws Exception {
        Checks.networkInterface(iface);
        InetSocketAddress http = Checks.hostPort("--listen", listen);
        InetSocketAddress bootHttp = boot ? Checks.hostPort("--boot-listen", bootListen) : null;
        if (!boot && (bootDir != null || dhcpRange != null || tftpDir != null || noDhcp)) {
            throw new CliException(ExitCode.USAGE, "--boot-dir, --dhcp-range, --tftp-dir and --no-dhcp go with --boot");
        }
        CastServer.Config cfg = new CastServer.Config(iface, McastSocket.parseGroup(group), rate, http, streams,
                machineTimeout * 1000, minMachines, waitSeconds * 1000, ttl,
                priorityRules.stream().map(CastServer.PriorityRule::parse).toList());
        if (!metrics.equals("open") && !metrics.equals("admin")) throw new CliException(ExitCode.USAGE, "--metrics is open or admin, not '" + metrics + "'");
        char[] consolePassword = consolePasswordFile != null ? ConsoleCommand.readFile(consolePasswordFile) : null;
        if (favourTime < 0 || favourTime > 1) throw new IllegalArgumentException("--favour must be between 0 and 1, not " + favourTime);
        cfg = cfg.withFavourTime(favourTime);
        if (priorityFiles != null) cfg = cfg.withPriorityFiles(priorityFiles);
        try (Store s = store.open(); StateDb db = StateDb.open(state.dir())) {
            if (consolePassword != null) {
                try {
                    Console.setPassword(db, consolePassword);
                } catch (IllegalArgumentException e) {
                    throw new CliException(ExitCode.USAGE, "--console-password-file: " + e.getMessage());
                }
            }
            ServerTrust trust = trustOptions.trust(s, System.out, db);
            if (encrypt && !trust.tls()) {
                System.err.println("imgcast serve: warning: with --insecure-http the join replies carry the data key of --encrypt"
                        + " (and the datagram key) in clear: anyone on the segment who reads them can read and forge the data");
            }
            Path bootFiles = boot ? (bootDir != null ? bootDir : db.dir().resolve("boot")) : null;
            Dnsmasq.Config dhcp = null;
            if (boot) {
                try {
                    BootHttp.checkBootDir(bootFiles);
                } catch (IOException e) {
                    throw new CliException(ExitCode.USAGE, e.getMessage());
                }
                if (!noDhcp) dhcp = dhcpConfig(db.dir(), bootHttp.getPort());
            }
            try (CastServer server = new CastServer(s, cfg, trust, encrypt)) {
                server.enableAdmin(db);
                server.metricsNeedAdmin(metrics.equals("admin"));
                server.start();
                BootHttp bootServer = null;
                Dnsmasq dnsmasq = null;
                if (boot) {
                    // checked once here: a fingerprint or URL the kernel line cannot carry is an error at start
                    bootServer(server, "127.0.0.1", 1);
                    int[] port = {bootHttp.getPort()};
                    bootServer = new BootHttp(bootHttp, bootFiles, (mac, local) -> script(server, mac, local, port[0]), ServeCommand::log);
                    port[0] = bootServer.address().getPort(); // before start: no request is answered with the asked port 0
                    bootServer.start();
                    if (dhcp != null) dhcp = dhcpConfig(db.dir(), port[0]);
                    System.out.println("network boot: " + bootFiles + " over http://" + bootHttp.getHostString() + ":" + bootServer.address().getPort()
                            + "/boot.ipxe?mac=MAC");
                    if (dhcp != null) {
                        dnsmasq = Dnsmasq.start(dhcp, ServeCommand::log);
                        System.out.println("dnsmasq " + dnsmasq.pid() + " on " + iface + ": " + (dhcp.proxy() ? "proxy-DHCP beside the site's DHCP server"
                                : "addresses " + dhcpRange) + ", TFTP from " + dhcp.tftpDir() + ", iPXE to " + dhcp.scriptUrl());
                    }
                    BootHttp b = bootServer;
                    Dnsmasq d = dnsmasq;
                    // stopped on SIGTERM too: the shutdown hook runs before the JVM exits
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        if (d != null) d.close();
                        b.close();
                    }));
                }
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
                if (db.setting(Console.PASSWORD_SETTING) == null) {
                    System.out.println("console: " + server.controlUrl(http.getHostString()) + " (no password set yet: 'imgcast console passwd')");
                } else {
                    System.out.println("console: " + server.controlUrl(http.getHostString()));
                }
                System.out.flush();
                Dnsmasq child = dnsmasq;
                try {
                    return serveUntilIdle(server, exitAfterIdle, logJson, child == null ? () -> null : child::failure);
                } finally {
                    forget.run();
                    if (dnsmasq != null) dnsmasq.close();
                    if (bootServer != null) bootServer.close();
                }
            }
        }
    }

    /** As {@link #serveUntilIdle(CastServer, Long, boolean, Supplier)}, logging text. */
    static int serveUntilIdle(CastServer server, Long exitAfterIdle) throws InterruptedException {
        return serveUntilIdle(server, exitAfterIdle, false, () -> null);
    }

    /**
     * Logs one line per event ({@link EventLog}: text, or JSON with {@code json}), and the table
     * of machines whenever every machine on the list has finished and when the server stops
     * (SIGTERM or Ctrl-C, which it says); returns when idle (if asked: 0, or 1 if a machine
     * failed, was lost or refused) or when the server failed (1), or when a child process serve needs
     * ({@code child} names why it is gone: dnsmasq) died (1).
     */
    static int serveUntilIdle(CastServer server, Long exitAfterIdle, boolean json, Supplier<String> child) throws InterruptedException {
        server.events().sink(new EventLog(System.out, json));
        AtomicBoolean exiting = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!exiting.get()) {
                Status st = server.status();
                long active = st.machines().stream().filter(m -> m.state().active()).count();
                System.out.println("imgcast serve: stopping (signal); " + active + " machine(s) still active");
                System.out.println(EventLog.table(st));
                System.out.flush();
            }
            server.close();
        }));
        boolean wasFinished = false;
        while (true) {
            Thread.sleep(1000);
            if (server.failure() != null) {
                System.err.println("imgcast: " + server.failure());
                exiting.set(true);
                return ExitCode.ERROR.code;
            }
            String gone = child.get();
            if (gone != null) {
                System.err.println("imgcast serve: network boot stopped: " + gone);
                exiting.set(true);
                return ExitCode.ERROR.code;
            }
            boolean finished = server.allFinished();
            if (finished && !wasFinished) {
                System.out.println("every machine on the list has finished:");
                System.out.println(EventLog.table(server.status()));
                System.out.flush();
            }
            wasFinished = finished;
            if (exitAfterIdle != null && server.idle(exitAfterIdle * 1000)) {
                exiting.set(true);
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

    private static void log(String line) {
        System.err.println("imgcast serve: " + line);
    }

    /** The URLs a machine that asked on {@code host} is given: the boot files' and the control API's. */
    private static IpxeScript.Server bootServer(CastServer server, String host, int bootPort) {
        String control = server.controlUrl(host);
        return new IpxeScript.Server("http://" + host + ":" + bootPort, control, server.fingerprint(), control.startsWith("http://"));
    }

    /** The iPXE script for {@code mac} (null: the chain that asks again with it), as the server's inventory says. */
    private static String script(CastServer server, String mac, InetAddress local, int bootPort) {
        IpxeScript.Server urls = bootServer(server, local.getHostAddress(), bootPort);
        if (mac == null || mac.isEmpty()) return IpxeScript.chain(urls);
        CastServer.BootPlan plan = server.bootPlan(mac);
        log("network boot of " + mac + " from " + local.getHostAddress() + ": " + (plan.boot() ? "imgcast" : "local disk") + " (" + plan.why() + ")");
        return plan.boot() ? IpxeScript.boot(urls, mac, plan.why()) : IpxeScript.local(plan.why());
    }

    /** dnsmasq's settings for --interface: its IPv4 address and network, the range (or proxy), TFTP files, the script's URL. */
    private Dnsmasq.Config dhcpConfig(Path stateDir, int bootPort) throws IOException {
        NetworkInterface nif = NetworkInterface.getByName(iface);
        InterfaceAddress v4 = nif == null ? null : nif.getInterfaceAddresses().stream().filter(a -> a.getAddress() instanceof Inet4Address)
                .findFirst().orElse(null);
        if (v4 == null) throw new CliException(ExitCode.USAGE, "--interface " + iface + " has no IPv4 address for DHCP and TFTP to answer from");
        if (nif.isLoopback()) throw new CliException(ExitCode.USAGE, "--boot answers DHCP on --interface: not on the loopback interface");
        Inet4Address addr = (Inet4Address) v4.getAddress();
        try {
            Inet4Address[] range = dhcpRange == null ? new Inet4Address[2] : Dnsmasq.parseRange(dhcpRange);
            Dnsmasq.Config c = new Dnsmasq.Config(Dnsmasq.BINARY, iface, addr, v4.getNetworkPrefixLength(), range[0], range[1],
                    tftpDir != null ? tftpDir : Dnsmasq.IPXE_DIR, "http://" + addr.getHostAddress() + ":" + bootPort + "/boot.ipxe",
                    stateDir.resolve("boot-dhcp").resolve("dnsmasq.leases"));
            String missing = Dnsmasq.missing(c);
            if (missing != null) throw new CliException(ExitCode.USAGE, missing);
            return c;
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
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
