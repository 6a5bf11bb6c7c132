package io.imgcast.cli;

import io.imgcast.util.Posix;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --state DIR} option: the server's own state (hosts, groups, sessions); defaults to $IMGCAST_STATE, then a per-user directory. */
final class StateOption {
    /** The file a running server writes into the state directory: its control API's URL. */
    static final String SERVER_URL = "server.url";

    @Option(names = "--state", paramLabel = "DIR",
            description = "server state directory (default: $IMGCAST_STATE, else /var/lib/imgcast/state as root or ~/.local/share/imgcast/state)")
    Path state;

    Path dir() {
        if (state != null) return state.toAbsolutePath().normalize();
        String env = System.getenv("IMGCAST_STATE");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        if (Posix.isRoot()) return Path.of("/var/lib/imgcast/state");
        return Path.of(System.getProperty("user.home"), ".local/share/imgcast/state");
    }
}
