package io.imgcast.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Two related sample OS-like trees for the demo: a base edition and a second edition that shares
 * most of it — a patched "kernel" blob, an extra package directory, and some edited configs.
 */
final class SampleTrees {
    private SampleTrees() {}

    static void base(Path root, int scale) throws IOException {
        Random r = new Random(1);
        for (int d = 0; d < 12; d++) {
            Path pkg = root.resolve("usr/lib/pkg" + d);
            Files.createDirectories(pkg);
            for (int f = 0; f < 40; f++) text(pkg.resolve("file" + f + ".py"), 2000 + r.nextInt(20000), r);
            binary(pkg.resolve("lib" + d + ".so"), (256 + r.nextInt(512)) * 1024 * scale, r);
        }
        Files.createDirectories(root.resolve("etc"));
        for (int i = 0; i < 30; i++) text(root.resolve("etc/conf" + i + ".conf"), 300 + r.nextInt(2000), r);
        Files.createDirectories(root.resolve("boot"));
        binary(root.resolve("boot/vmlinuz"), 8 * 1024 * 1024 * scale, new Random(99));
        Files.createSymbolicLink(root.resolve("vmlinuz"), Path.of("boot/vmlinuz"));
    }

    static void secondEdition(Path root, int scale) throws IOException {
        Random r = new Random(2);
        // patch 64 KiB in the middle of the kernel: content-defined chunks keep the rest shared
        Path k = root.resolve("boot/vmlinuz");
        byte[] b = Files.readAllBytes(k);
        byte[] patch = new byte[64 * 1024];
        r.nextBytes(patch);
        System.arraycopy(patch, 0, b, b.length / 2, patch.length);
        Files.write(k, b);
        Path extra = root.resolve("opt/extra");
        Files.createDirectories(extra);
        for (int f = 0; f < 20; f++) text(extra.resolve("tool" + f + ".py"), 3000 + r.nextInt(9000), r);
        binary(extra.resolve("extra.so"), 2 * 1024 * 1024 * scale, r);
        for (int i = 0; i < 5; i++) text(root.resolve("etc/conf" + i + ".conf"), 500 + r.nextInt(1000), r);
    }

    private static final String[] WORDS = {"import", "def", "return", "self", "class", "value", "config", "path", "if", "else",
        "for", "in", "range", "print", "error", "data", "image", "machine", "stream", "chunk"};

    private static void text(Path p, int size, Random r) throws IOException {
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) {
            sb.append(WORDS[r.nextInt(WORDS.length)]).append(r.nextInt(8) == 0 ? "\n    " : " ");
        }
        Files.writeString(p, sb, StandardCharsets.UTF_8);
    }

    private static void binary(Path p, int size, Random r) throws IOException {
        byte[] b = new byte[size];
        // half random, half repetitive: roughly the compressibility of real binaries
        for (int i = 0; i < size; i += 4096) {
            int n = Math.min(4096, size - i);
            if ((i / 4096) % 2 == 0) {
                byte[] x = new byte[n];
                r.nextBytes(x);
                System.arraycopy(x, 0, b, i, n);
            } else {
                for (int j = 0; j < n; j++) b[i + j] = (byte) ((j * 31 + i) & 0x3f);
            }
        }
        Files.write(p, b);
    }
}
