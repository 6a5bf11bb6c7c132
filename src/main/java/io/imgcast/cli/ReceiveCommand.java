package io.imgcast.cli;

import io.imgcast.api.Assignment;
import io.imgcast.image.PartitionTable;
import io.imgcast.net.McastSocket;
import io.imgcast.peer.PeerReceiver;
import io.imgcast.receiver.CastReceiver;
import io.imgcast.receiver.TargetOptions;
import io.imgcast.trust.ClientTrust;
import io.imgcast.util.Json;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "receive", description = {"Receive an image from an imgcast server (--server, --image),"
        + " or from a peer-to-peer master found by its announcements (--from-peer), onto a directory or a device/file;"
        + " exit 0 only when it is complete and verified."})
final class ReceiveCommand implements Callable<Integer> {
    @Option(names = "--server", paramLabel = "URL", description = "e.g. http://10.0.0.1:8470/ (a server or a relay)") URI server;
    @Option(names = "--image", paramLabel = "NAME", description = "image to ask the server for") String image;
    @Option(names = "--from-peer", description = "no server: join the session a master announces ('imgcast send' or 'apply --rebroadcast')") boolean fromPeer;
    @Option(names = "--session", paramLabel = "ID", description = "with --from-peer: join only this session (the master prints it)") Integer session;
    @Option(names = "--announce", defaultValue = MasterOptions.DEFAULT_ANNOUNCE, paramLabel = "ADDR:PORT", description = "with --from-peer: where masters announce (default ${DEFAULT-VALUE})") String announce;
    @Option(names = "--auto", description = "ask the server what to do by this machine's MAC: which image, onto which disk (its rule),"
            + " and what to do afterwards; --image still serves a machine the server does not know") boolean auto;
    @Option(names = "--mac", paramLabel = "MAC", description = "with --auto: ask as this MAC (default: the --interface's)") String mac;
    @Option(names = "--do-then", description = "with --auto: do the server's afterwards action (reboot, poweroff, shell);"
            + " without it, only say what it would be") boolean doThen;
    @Option(names = "--session-wait", defaultValue = "3600", paramLabel = "SECONDS", description = "with --auto: how long a machine of a group"
            + " waits for a session of its group to admit it (default ${DEFAULT-VALUE})") long sessionWait;
    @Option(names = "--target", paramLabel = "DIR|DEVICE", description = "where the image goes: a directory for a file tree"
            + " (new, empty, or an earlier image's: only the difference is received); a block device or a file for a volume") Path target;
    @Option(names = "--interface", required = true, paramLabel = "IF", description = "interface that receives the multicast stream, e.g. eth0") String iface;
    @Option(names = "--priority", defaultValue = "0", paramLabel = "N", description = "higher goes first (default ${DEFAULT-VALUE})") int priority;
    @Option(names = "--machine", paramLabel = "NAME", description = "name shown on the server (default: host name)") String machine;
    @Option(names = {"--server-key", "--master-key"}, paramLabel = "HEX", description = "pin the server's (or master's) key: at least 16 leading hex"
            + " digits of the fingerprint it prints; it pins the TLS connection and the manifests (without it: trust on first use)") String serverKey;
    @Option(names = "--image-key", paramLabel = "HEX", description = "pin the key that signed the image (behind a relay: the original"
            + " server's); default: the server's key") String imageKey;
    @Option(names = "--insecure-http", description = "allow plain HTTP to the server (a lab only); without it an http:// URL is upgraded to https") boolean insecureHttp;
    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "give up after this long without progress or server (default ${DEFAULT-VALUE})") long timeout;
    @Option(names = "--readback", description = "after receiving, read the whole target back and check it against the image") boolean readback;
    @Option(names = "--fresh", description = "the target disk is blank or to be overwritten: do not scan it for data already in place; zero holes are punched or zeroed by the device") boolean fresh;
    @Option(names = "--partitions", paramLabel = "LIST", description = "write only these partitions of a disk image (e.g. 1,3), each onto the start of the target's own partition of that number (from a server: at the same offset), which must be at least as large; every other byte of the target stays") String partitions;
    @Option(names = "--json", description = "print the result as one JSON object on standard output (and no progress)") boolean json;
    @Option(names = {"-q", "--quiet"}, description = "no progress (a bar on a terminal, else a line on standard error every few seconds)") boolean quiet;

    /** Why the receive failed (null: it did not, or failed before receiving); the boot client reports it. */
    String failure;

    @Override
    public Integer call() throws Exception {
        if (fromPeer == (server != null)) {
            throw new CliException(ExitCode.USAGE, "give either --server URL --image NAME, or --from-peer");
        }
        if (auto && server == null) throw new CliException(ExitCode.USAGE, "--auto asks a server: give --server URL");
        if (server != null && image == null && !auto) throw new CliException(ExitCode.USAGE, "--image NAME (or --auto) is required with --server");
        if (target == null && !auto) throw new CliException(ExitCode.USAGE, "--target DIR|DEVICE is required (only --auto picks a disk itself)");
        ClientTrust trust = TrustOptions.client(serverKey, imageKey, insecureHttp);
        URI base = null;
        if (server != null) {
            try {
                base = trust.base(server);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, e.getMessage());
            }
        }
        // before joining: a wrong interface must not leave a failed machine on the server's list
        Checks.networkInterface(iface);
        String name = machine;
        if (name == null) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                name = "machine";
            }
            try {
                // host names repeat (cloned machines, namespaces): the address tells them apart
                name += "/" + McastSocket.ipv4(McastSocket.iface(iface)).getHostAddress();
            } catch (RuntimeException e) {
                // no address on the interface yet: the host name alone
            }
        }
        Assignment assigned = null;
        if (auto) {
            assigned = AutoReceive.plan(base, trust, mac, iface, image, target, json);
            if (!Assignment.IMAGE.equals(assigned.action())) return AutoReceive.nothing(assigned, json);
            image = assigned.image();
            if (assigned.name() != null && machine == null) name = assigned.name();
            // the host entry says its disk is blank or to be overwritten (hosts add --fresh)
            if (Boolean.TRUE.equals(assigned.fresh())) fresh = true;
            if (target == null) target = AutoReceive.disk(assigned);
        }
        CastReceiver.Result r;
        String master = null;
        if (fromPeer) {
            PeerReceiver.Result pr;
            try (Progress p = Progress.forTerminal("receive", 0, quiet || json)) {
                pr = new PeerReceiver(new PeerReceiver.Config(iface, McastSocket.parseGroup(announce), session, target, name, serverKey,
                        timeout * 1000, readback, targetOptions())).run(p, msg -> { if (!quiet && !json) System.err.println(msg); });
            }
            r = pr.receive();
            master = pr.master();
            if (pr.announce() != null) image = pr.announce().name();
        } else {
            try (Progress p = Progress.forTerminal("receive " + image, 0, quiet || json)) {
                CastReceiver.Config cfg = new CastReceiver.Config(base, image, target, priority, iface, name, trust, timeout * 1000,
                        CastReceiver.FEEDBACK_MS, readback, targetOptions());
                long until = System.nanoTime() + sessionWait * 1_000_000_000L;
                r = new CastReceiver(cfg, p).run();
                // a machine of a group waits, bounded, for the operator to start a session of its group
                while (auto && !r.ok() && AutoReceive.waitsForSession(r.error()) && System.nanoTime() < until) {
                    r = new CastReceiver(cfg, p).run();
                }
            }
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (assigned != null) {
                m.put("action", assigned.action());
                m.put("mac", assigned.mac());
                m.put("then", assigned.then());
            }
            m.put("ok", r.ok());
            m.put("error", r.error());
            m.put("image", image);
            if (master != null) m.put("master", master);
            m.put("target", target.toString());
            m.put("seconds", r.seconds());
            m.put("received_bytes", r.neededBytes());
            m.put("received_chunks", r.neededChunks());
            m.put("reused_chunks", r.reusedChunks());
            m.put("live", r.live());
            m.put("packets", r.packets());
            m.put("rejected", r.rejected());
            m.put("kernel_drops", r.kernelDrops());
            m.put("fec_decodes", r.decodes());
            m.put("loss", r.loss());
            m.put("phases", r.phases());
            System.out.println(Json.write(m));
        } else if (r.ok()) {
            System.out.printf("received %s onto %s: %s in %s (%d chunks, %d already in place), verified%n", image, target,
                    Units.bytes(r.neededBytes()), Units.seconds((long) (r.seconds() * 1e9)), r.neededChunks(), r.reusedChunks());
        } else {
            System.err.println("imgcast: receive failed: " + r.error());
        }
        if (!r.ok()) failure = r.error();
        int code = exitCode(r);
        if (code == ExitCode.OK.code && assigned != null && assigned.then() != null) AutoReceive.then(assigned.then(), doThen, json);
        return code;
    }

    private TargetOptions targetOptions() {
        return new TargetOptions(fresh, partitions == null ? null : PartitionTable.parseList(partitions));
    }

    /**
     * 0 when verified; 6 when the server's key or the image's signature failed the check (the
     * receiver reports these as errors mentioning the pinned key or the signature); else 1.
     */
    static int exitCode(CastReceiver.Result r) {
        if (r.ok()) return ExitCode.OK.code;
        String e = r.error() == null ? "" : r.error();
        if (e.contains("is not the pinned one") || e.contains("failed the TLS check") || e.contains("signature is invalid")) return ExitCode.TRUST.code;
        return ExitCode.ERROR.code;
    }
}
