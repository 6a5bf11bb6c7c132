package io.imgcast.util;

import com.github.luben.zstd.Zstd;
import io.imgcast.chunk.Sha256;
import org.sqlite.JDBC;
import org.sqlite.SQLiteJDBCLoader;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;

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
        // The main thread opens the store (SQLite) at once, so the warm-up does the rest.
        Runnable r = switch (command) {
            case "apply" -> () -> {
                Posix.warmUp(false);
                sha256();
                jca();
                zstd();
            };
            case "capture" -> () -> {
                Posix.warmUp(true);
                sha256();
                jca();
                zstd();
            };
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
            Class.forName("JDBC");
            SQLiteJDBCLoader.initialize();
        } catch (Exception ignored) {
            // reported when the store is opened
        }
    }

    /** OpenSSL's SHA-256 (loads libcrypto and makes its downcall). */
    private static void sha256() {
        Sha256.digest(new byte[1], 0, 1);
    }

    private static void zstd() {
        Zstd.compressBound(1);
    }

    /** JCA provider set-up, SHA-256 and Ed25519 (manifest hash and signature). */
    private static void jca() {
        try {
            MessageDigest.getInstance("SHA-256").digest(new byte[64]);
            KeyFactory.getInstance("Ed25519");
            Signature.getInstance("Ed25519");
        } catch (GeneralSecurityException ignored) {
            // reported on use
        }
    }
}
