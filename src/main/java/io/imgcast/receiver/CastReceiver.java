package io.imgcast.receiver;

import io.imgcast.manifest.Manifest;
import io.imgcast.trust.ClientTrust;
import io.imgcast.util.Progress;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * A destination machine: asks the server for an image, checks its signed descriptive data,
 * scans the target for what it already holds, joins the multicast stream, writes each verified
 * chunk straight to its place, reports progress, and finishes the image. It succeeds only when
 * the whole target holds the image (read back too, with {@code readback}).
 *
 * <p>The entry point of the package: the {@link JoinLoop} runs the machine's life with its
 * server; see the package description for the parts of a receive.
 */
public final class CastReceiver {
    /** {@code readback}: after finishing, read the whole target back and check every chunk again. */
    public record Config(URI server, String image, Path target, int priority, String iface, String machine,
                         ClientTrust trust, long stallTimeoutMs, long feedbackMs, boolean readback, TargetOptions targetOptions) {
        public Config {
            if (targetOptions == null) targetOptions = TargetOptions.DEFAULT;
        }

        public Config(URI server, String image, Path target, int priority, String iface, String machine,
                      ClientTrust trust, long stallTimeoutMs, long feedbackMs, boolean readback) {
            this(server, image, target, priority, iface, machine, trust, stallTimeoutMs, feedbackMs, readback, TargetOptions.DEFAULT);
        }
    }

    /** How often a receiver reports to the server by default (ms); {@code IMGCAST_FEEDBACK_MS} overrides it. */
    public static final long FEEDBACK_MS = feedbackDefault();

    private static long feedbackDefault() {
        try {
            String v = System.getenv("IMGCAST_FEEDBACK_MS");
            return v == null ? 100 : Math.max(20, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    public record Result(boolean ok, String error, String image, long neededBytes, long neededChunks, long reusedChunks,
                         long packets, Map<String, Long> rejected, long kernelDrops, long decodes, double loss, double seconds,
                         Map<String, Double> phases, boolean live) {}

    private final JoinLoop loop;

    public CastReceiver(Config config, Progress progress) {
        this(config, progress, null);
    }

    /**
     * {@code targets}: makes the target from the checked manifest (a relay receives into its
     * store); null for the usual directory or device/file at {@code config.target()}.
     */
    public CastReceiver(Config config, Progress progress, Function<Manifest, ChunkTarget> targets) {
        this.loop = new JoinLoop(config, progress, targets, System.nanoTime());
    }

    /**
     * Receives the image; if the server restarts meanwhile, joins its new session and resumes
     * (what is already on the target is kept), up to three times.
     */
    /**
     * Requires the join reply's signer (the key of the session's block directories: a peer
     * master's key) to have a fingerprint starting with {@code fingerprint}, checked at each join
     * before anything is written; returns this receiver.
     */
    public CastReceiver pinSigner(String fingerprint) {
        loop.pinSigner(fingerprint);
        return this;
    }

    /** Requires the first join to find session {@code session} (the one a peer master announced). */
    public CastReceiver expectFirstSession(int session) {
        loop.expectFirstSession(session);
        return this;
    }

    public Result run() {
        return loop.run();
    }
}
