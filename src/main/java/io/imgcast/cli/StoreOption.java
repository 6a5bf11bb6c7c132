package io.imgcast.cli;

import io.imgcast.store.Store;
import io.imgcast.util.Posix;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --store DIR} option shared by commands; defaults to $IMGCAST_STORE, then a per-user directory. */
final class StoreOption {
    @Option(names = "--store", paramLabel = "DIR",
            description = "store directory (default: $IMGCAST_STORE, else /var/lib/imgcast/store as root or ~/.local/share/imgcast/store)")
    Path store;

    Path dir() {
        if (store != null) return store;
        String env = System.getenv("IMGCAST_STORE");
        if (env != null && !env.isBlank()) return Path.of(env);
        if (Posix.isRoot()) return Path.of("/var/lib/imgcast/store");
        return Path.of(System.getProperty("user.home"), ".local/share/imgcast/store");
    }

    Store open() {
        return Store.open(dir(), false);
    }

    Store openOrCreate() {
        return Store.open(dir(), true);
    }
}
