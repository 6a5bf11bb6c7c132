package io.imgcast.perf;

import java.nio.file.Path;

/** Throwaway: cold-start cost of each library the CLI touches, one per JVM (arg picks which, in order). */
public final class StartupProbe {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        StringBuilder sb = new StringBuilder();
        for (String what : args) {
            long s = System.nanoTime();
            switch (what) {
                case "sqlite" -> {
                    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + Path.of("/tmp/perf/s1/index.db"))) {
                        try (var st = c.createStatement()) { st.execute("PRAGMA journal_mode=WAL"); }
                    }
                }
                case "sqlite-direct" -> {
                    try (var c = org.sqlite.JDBC.createConnection("jdbc:sqlite:/tmp/perf/s1/index.db", new java.util.Properties())) {
                        try (var st = c.createStatement()) { st.execute("PRAGMA journal_mode=WAL"); }
                    }
                }
                case "sqlite-load" -> org.sqlite.SQLiteJDBCLoader.initialize();
                case "drivermanager" -> java.sql.DriverManager.getDrivers();
                case "ed25519" -> {
                    var kp = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                    var pk = java.security.KeyFactory.getInstance("Ed25519").generatePublic(new java.security.spec.X509EncodedKeySpec(kp.getPublic().getEncoded()));
                    var sg = java.security.Signature.getInstance("Ed25519");
                    sg.initSign(kp.getPrivate()); sg.update(new byte[10]); byte[] sig = sg.sign();
                    sg.initVerify(pk); sg.update(new byte[10]); if (!sg.verify(sig)) throw new AssertionError();
                }
                case "sha256" -> java.security.MessageDigest.getInstance("SHA-256").digest(new byte[100]);
                case "zstd" -> { try (var c = new io.imgcast.codec.ChunkCodec(3)) { } }
                case "posix" -> io.imgcast.util.Posix.isRoot();
                case "posix-chmod" -> io.imgcast.util.Posix.chmod(Path.of("/tmp/perf/tm.sh"), 0755);
                case "picocli-help" -> io.imgcast.cli.Main.run("--help");
                case "picocli-list" -> io.imgcast.cli.Main.run("list", "--store", "/tmp/perf/s1");
                case "annotations" -> {
                    for (var fl : Class.forName("io.imgcast.cli.CaptureCommand").getDeclaredFields()) fl.getDeclaredAnnotations();
                }
                case "nio-chmod" -> java.nio.file.Files.setAttribute(Path.of("/tmp/perf/tm.sh"), "unix:mode", 0755);
                case "nio-times" -> java.nio.file.Files.getFileAttributeView(Path.of("/tmp/perf/tm.sh"), java.nio.file.attribute.BasicFileAttributeView.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).setTimes(java.nio.file.attribute.FileTime.fromMillis(1000), null, null);
                case "nio-attrs" -> java.nio.file.Files.readAttributes(Path.of("/tmp"), "unix:mode,uid");
                default -> throw new IllegalArgumentException(what);
            }
            sb.append(String.format(" %s=%.0fms", what, (System.nanoTime() - s) / 1e6));
        }
        System.err.println("probe:" + sb + String.format(" total=%.0fms", (System.nanoTime() - t0) / 1e6));
    }
}
