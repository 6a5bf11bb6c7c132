package io.imgcast.util;

/**
 * Start-up overlap: while the main thread parses the command line and opens the store, one
 * daemon thread loads and initialises what the command will need next (JNI libraries, the FFM
 * downcalls, JDK crypto providers). On a machine with a spare core this takes their cold-start
 * cost off the critical path; failures here are ignored (the real use reports them).
 */
public final class Warmup {
    private Warmup() {}

    public static void start(String command) {
        if (Boolean.getBoolean("imgcast.noWarmup")) return;
        Runnable r = switch (command) {
            case "apply" -> () -> {
                sqlite();
                Posix.warmUp(false);
                zstd();
                ed25519();
            };
            case "capture" -> () -> {
                Posix.warmUp(true);
                sqlite();
                zstd();
                ed25519();
            };
            case "verify", "export", "import", "list", "info", "delete", "gc" -> Warmup::sqlite;
            default -> null;
        };
        if (r == null) return;
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable ignored) {
                // the real first use will report it
            }
        }, "imgcast-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void sqlite() {
        try {
            Class.forName("org.sqlite.JDBC");
            org.sqlite.SQLiteJDBCLoader.initialize();
        } catch (Exception ignored) {
            // reported when the store is opened
        }
    }

    private static void zstd() {
        com.github.luben.zstd.Zstd.compressBound(1);
    }

    private static void ed25519() {
        try {
            java.security.KeyFactory.getInstance("Ed25519");
            java.security.Signature.getInstance("Ed25519");
        } catch (java.security.GeneralSecurityException ignored) {
            // reported on use
        }
    }
}
