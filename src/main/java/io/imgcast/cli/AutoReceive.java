package io.imgcast.cli;

import io.imgcast.api.Assignment;
import io.imgcast.receiver.AutoAssignment;
import io.imgcast.state.DiskRule;
import io.imgcast.state.Mac;
import io.imgcast.trust.ClientTrust;
import io.imgcast.util.Json;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code receive --auto} around the receive itself: ask the server by MAC, fall back to
 * {@code --image} for a machine it does not know, pick the disk by the rule (none matching: exit 5,
 * nothing written), and afterwards do (with {@code --do-then}) or name the server's action.
 * {@code IMGCAST_SYS_ROOT} points the disk scan at a fake /sys and /dev tree (tests).
 */
final class AutoReceive {
    private AutoReceive() {}

    /**
     * The server's assignment for this machine; {@code --image} for one it has nothing for. Asked
     * with the receive's own {@code trust}: the key pinned, or first seen here and then kept.
     */
    static Assignment plan(URI server, ClientTrust trust, String mac, String iface, String image, Path target, boolean json) throws IOException {
        String m = mac != null ? Mac.normalize(mac) : AutoAssignment.mac(iface);
        Assignment a = AutoAssignment.ask(server, trust, m);
        if (!Assignment.IMAGE.equals(a.action()) && image != null) {
            return new Assignment(Assignment.IMAGE, m, null, image, "largest", null, null, "not known to the server; --image " + image);
        }
        if (!json) {
            System.err.println("imgcast: the server says for " + m + ": " + (Assignment.IMAGE.equals(a.action())
                    ? "image " + a.image() + (target == null ? " onto the disk '" + a.disk() + "' picks" : " onto " + target) : a.action())
                    + " (" + a.reason() + ")");
        }
        return a;
    }

    /** Whether a receive failed only because no session of the machine's group admits it yet (the server's words in {@code Sessions}). */
    static boolean waitsForSession(String error) {
        return error != null && (error.contains("has no session; waiting for") || error.contains("admits no one new; waiting for a new session"));
    }

    /** Nothing to receive: say so; exit 0. */
    static int nothing(Assignment a, boolean json) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", true);
            m.put("action", a.action());
            m.put("mac", a.mac());
            m.put("reason", a.reason());
            System.out.println(Json.write(m));
        } else {
            System.out.println(a.action().equals(Assignment.IGNORE) ? "the server does not serve this machine (" + a.reason() + ")"
                    : "nothing to receive: boot the local disk (" + a.reason() + ")");
        }
        return ExitCode.OK.code;
    }

    /** The disk the assignment's rule picks; none is exit 5 with the rule and the disks seen, before anything is written. */
    static Path disk(Assignment a) throws IOException {
        String root = System.getenv("IMGCAST_SYS_ROOT");
        DiskRule.Match m = AutoAssignment.disk(a.disk(), Path.of(root != null && !root.isEmpty() ? root : "/"));
        if (m.disk() == null) {
            throw new CliException(ExitCode.REFUSED, "the server's disk rule '" + a.disk() + "' for this machine (" + a.mac() + ") matches no disk: "
                    + m.problem() + "; nothing was written. Change the rule with 'imgcast hosts add --mac " + a.mac() + " ... --disk RULE'");
        }
        Path dev = Path.of(m.disk().device());
        if (root != null && !root.isEmpty()) dev = Path.of(root).resolve(m.disk().device().substring(1));
        System.err.println("imgcast: disk " + m.disk() + " by rule '" + a.disk() + "'");
        return dev;
    }

    /** The afterwards action: done with {@code really}, else named. */
    static void then(String then, boolean really, boolean json) throws IOException, InterruptedException {
        List<String> cmd = AutoAssignment.thenCommand(then);
        if (!really) {
            (json ? System.err : System.out).println("then: " + then + " (would run '" + String.join(" ", cmd) + "'; --do-then does it)");
            return;
        }
        System.err.println("imgcast: then " + then + ": " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0 && !then.equals("shell")) throw new IOException("'" + String.join(" ", cmd) + "' exited " + rc);
    }
}
