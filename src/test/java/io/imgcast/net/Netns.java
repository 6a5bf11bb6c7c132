package io.imgcast.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs a task on a fresh platform thread moved into a named network namespace (setns(2) moves only
 * the calling thread): sockets it opens live in that namespace and may be used from any thread.
 */
final class Netns {
    private Netns() {}

    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle OPEN, SETNS, CLOSE;

    static {
        Linker l = Linker.nativeLinker();
        SymbolLookup c = l.defaultLookup();
        OPEN = l.downcallHandle(c.find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        SETNS = l.downcallHandle(c.find("setns").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        CLOSE = l.downcallHandle(c.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    static <T> T in(String netns, Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try (Arena a = Arena.ofConfined()) {
                int fd = (int) OPEN.invokeExact(a.allocateFrom("/var/run/netns/" + netns), 0);
                if (fd < 0) throw new IllegalStateException("cannot open netns " + netns);
                int r = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                int ignored = (int) CLOSE.invokeExact(fd);
                if (r != 0) throw new IllegalStateException("setns " + netns + " failed");
                result.set(task.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(60_000);
        if (t.isAlive()) throw new IllegalStateException("task in " + netns + " did not end in 60 s");
        if (failure.get() != null) throw new Exception("in netns " + netns, failure.get());
        return result.get();
    }
}
