package io.imgcast.peer;

import io.imgcast.api.ControlJson;
import io.imgcast.api.RefuseRequest;
import io.imgcast.image.PartitionTable;
import io.imgcast.net.McastSocket;
import io.imgcast.receiver.CastReceiver;
import io.imgcast.receiver.TargetOptions;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.Pin;
import io.imgcast.util.Posix;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A receiver of a peer-to-peer session: finds the master ({@link Discovery}), checks that its
 * target can take what is announced, says so to the master (join, the RSVP, or a refusal
 * with the reason), then receives with the same engine as from a server
 * ({@link CastReceiver}: verified chunks written in place, resume, goodbye with the result).
 */
public final class PeerReceiver {
    /** {@code insecureHttp}: the master's control port speaks plain HTTP ({@code send --insecure-http}, a lab only). */
    public record Config(String iface, InetSocketAddress announce, Integer session, Path target, String machine,
                         String masterKey, long timeoutMs, boolean readback, TargetOptions targetOptions, boolean insecureHttp) {
        public Config {
            if (targetOptions == null) targetOptions = TargetOptions.DEFAULT;
        }

        public Config(String iface, InetSocketAddress announce, Integer session, Path target, String machine,
                      String masterKey, long timeoutMs, boolean readback) {
            this(iface, announce, session, target, machine, masterKey, timeoutMs, readback, null, false);
        }
    }

    /** The outcome; {@code master} is the control address (null if none was found). */
    public record Result(CastReceiver.Result receive, Announce announce, String master) {}

    private final Config config;

    public PeerReceiver(Config config) {
        this.config = config;
    }

    public Result run(Progress progress, Consumer<String> say) {
        long t0 = System.nanoTime();
        String pin = config.masterKey() == null ? null : config.masterKey().toLowerCase(Locale.ROOT);
        if (pin != null && !pin.matches("[0-9a-f]{16,64}")) {
            return new Result(failed("--master-key takes at least 16 hex digits of the master's fingerprint (it prints 64)", t0), null, null);
        }
        Discovery d = new Discovery();
        Discovery.Found found;
        try {
            found = d.await(McastSocket.iface(config.iface()), config.announce(), config.session(), pin, config.timeoutMs(),
                    new Consumer<>() {
                        boolean told;

                        @Override
                        public void accept(Announce a) {
                            if (!told) say.accept("master of session " + a.session() + " is reading its source (" + a.name() + "); waiting");
                            told = true;
                        }
                    });
        } catch (IOException | RuntimeException e) {
            return new Result(failed(e.getMessage(), t0), null, null);
        }
        Announce a = found.announce();
        String master = found.control().getAddress().getHostAddress() + ":" + found.control().getPort();
        if (pin == null) {
            say.accept("trusting the master of session " + a.session() + " (first one joined), key fingerprint " + a.fingerprint()
                    + "; pin it with --master-key to accept no other");
        }
        say.accept("joining session " + a.session() + " of " + master + ": " + a.name() + " (" + a.kind().toLowerCase() + ", "
                + Units.bytes(a.totalBytes()) + (a.layout().isEmpty() ? "" : ", " + a.layout()) + ")");
        // the master's control port speaks TLS with the key its signed announcement names: the
        // connection is pinned to that key, so the join reply's keys and token reach only it
        ClientTrust trust = ClientTrust.peer(new Pin(a.fingerprint()), config.masterKey() == null ? null : Pin.parse(config.masterKey()),
                config.insecureHttp());
        URI base = URI.create((config.insecureHttp() ? "http://" : "https://") + master + "/");
        String why = incompatibility(a, config.target());
        if (why != null) {
            refuse(base, trust, a, why);
            return new Result(failed("cannot take part in session " + a.session() + ": " + why, t0), a, master);
        }
        CastReceiver.Result r = new CastReceiver(new CastReceiver.Config(base, a.name(), config.target(), 0, config.iface(),
                config.machine(), trust, config.timeoutMs(), CastReceiver.FEEDBACK_MS, config.readback(),
                config.targetOptions().withImageLayout(a.layout())),
                progress)
                // the announced (pinned or first) master's key must sign the session: checked at every join, before a byte is written
                .pinSigner(a.fingerprint()).expectFirstSession(a.session()).run();
        // the backup GPT moves to a larger disk's end only when the whole disk was written
        if (r.ok() && a.kind().equals("VOLUME") && a.layout().startsWith("gpt") && config.targetOptions().partitions() == null
                && (!a.layout().contains(" sending ") || a.layout().endsWith(" with table"))) {
            try {
                if (Posix.deviceSize(config.target()) > a.totalBytes()) PartitionTable.relocateBackupGpt(config.target());
            } catch (IOException e) {
                say.accept("warning: the disk was received, but its backup GPT could not be moved to the end of the larger target: " + e.getMessage());
            }
        }
        return new Result(r, a, master);
    }

    /**
     * Why {@code target} cannot take the announced image, or null if it can: a tree needs a
     * directory (or nothing yet), a volume a device or file big enough for it.
     */
    public static String incompatibility(Announce a, Path target) {
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (a.kind().equals("TREE")) {
            if (exists && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                return "the session sends a file tree, and the target " + target + " is not a directory";
            }
            return null;
        }
        if (!a.kind().equals("VOLUME")) return "the session sends an image of unknown kind '" + a.kind() + "'";
        if (exists && Files.isDirectory(target)) {
            return "the session sends a disk or partition image (" + Units.bytes(a.totalBytes()) + "), and the target " + target
                    + " is a directory; give a device or a file";
        }
        try {
            if (exists && !Files.isRegularFile(target)) {
                long size = Posix.deviceSize(target);
                if (size < a.totalBytes()) {
                    return "the target " + target + " holds " + Units.bytes(size) + " (" + size + " bytes), the image needs "
                            + Units.bytes(a.totalBytes()) + " (" + a.totalBytes() + " bytes)";
                }
                return null;
            }
            Path dir = target.toAbsolutePath().getParent();
            long have = Files.getFileStore(dir).getUsableSpace() + (exists ? Files.size(target) : 0);
            if (have < a.dataBytes()) {
                return "the file system of " + target + " has " + Units.bytes(have) + " free, the image holds "
                        + Units.bytes(a.dataBytes()) + " of data";
            }
        } catch (IOException e) {
            return "cannot examine the target " + target + ": " + e.getMessage();
        }
        return null;
    }

    private void refuse(URI base, ClientTrust trust, Announce a, String why) {
        try {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
            if (!config.insecureHttp()) b.sslContext(trust.context());
            HttpClient http = b.build();
            byte[] body = ControlJson.bytes(new RefuseRequest(config.machine(), a.name(), why));
            http.send(HttpRequest.newBuilder(base.resolve("api/v1/refuse")).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // the master may be gone; our own exit status still says it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CastReceiver.Result failed(String msg, long t0) {
        return new CastReceiver.Result(false, msg, null, 0, 0, 0, 0, Map.of(), 0, 0, 0, (System.nanoTime() - t0) / 1e9, Map.of(), false);
    }
}
