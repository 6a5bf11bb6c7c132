package io.imgcast.perf;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;

/** Throwaway: cost of TreeCapture's walk, cold and warm (same JVM, repeated). */
public final class WalkProbe {
    public static void main(String[] args) throws Exception {
        Class<?> tc = Class.forName("io.imgcast.image.TreeCapture");
        Class<?> opts = Class.forName("io.imgcast.image.CaptureOptions");
        Constructor<?> k = tc.getDeclaredConstructor(Path.class, opts);
        k.setAccessible(true);
        Method walk = tc.getDeclaredMethod("walk", Path.class, String.class);
        walk.setAccessible(true);
        Object o = opts.getMethod("defaults").invoke(null);
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            Path root = Path.of(args[0]);
            Object c = k.newInstance(root, o);
            long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
            walk.invoke(c, root, "");
            System.out.printf("walk %d: %.0f ms wall, %.0f ms main-thread cpu%n", i, (System.nanoTime() - t0) / 1e6, (mx.getCurrentThreadCpuTime() - c0) / 1e6);
        }
    }
}
