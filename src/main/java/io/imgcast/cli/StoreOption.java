package io.imgcast.cli;

import io.imgcast.store.ImageInfo;
import io.imgcast.store.Store;
import io.imgcast.util.Posix;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
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

    /** Is there a store at {@code dir}? */
    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(Store.MARKER));
    }

    /** Opens an existing store; none there is exit 4 (no such store). */
    Store open() {
        Path d = dir().toAbsolutePath().normalize();
        if (!exists(d)) {
            throw new CliException(ExitCode.NOT_FOUND, "no imgcast store at " + d + "; capture an image there first, or pass"
                    + " --store DIR (or set IMGCAST_STORE)");
        }
        return Store.open(d, false);
    }

    /**
     * Opens the store, creating a new one if the directory is absent or empty, and says so on
     * {@code say}: a mistyped --store then shows at once instead of splitting images over two stores.
     */
    Store openOrCreate(PrintStream say) {
        return openOrCreate(dir(), say);
    }

    static Store openOrCreate(Path dir, PrintStream say) {
        Path d = dir.toAbsolutePath().normalize();
        boolean fresh = !exists(d) && isAbsentOrEmpty(d);
        Store s = Store.open(d, true);
        if (fresh) say.println("imgcast: created a new, empty store at " + d);
        return s;
    }

    private static boolean isAbsentOrEmpty(Path d) {
        if (!Files.isDirectory(d)) return !Files.exists(d);
        try (var l = Files.list(d)) {
            return l.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** The image named {@code name}; none is exit 4 (no such image). */
    static ImageInfo image(Store s, String name) {
        return s.find(name).orElseThrow(() -> new CliException(ExitCode.NOT_FOUND, "no image named '" + name + "' in store "
                + s.dir() + "; 'imgcast list" + " --store " + s.dir() + "' shows its images"));
    }
}
