package io.imgcast.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up fast path binds exactly what picocli binds, and declines what it does not handle. */
class FastCliTest {
    private static List<String> fields(Object o) throws IllegalAccessException {
        List<String> out = new ArrayList<>();
        for (Field f : o.getClass().getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
            f.setAccessible(true);
            Object v = f.get(o);
            if (v instanceof StoreOption s) v = "store=" + s.store;
            if (v instanceof MasterOptions) v = "master-options"; // only read with --rebroadcast, which the fast path declines
            out.add(f.getName() + "=" + v);
        }
        return out;
    }

    private static void same(Object fast, Object slow, String... args) throws Exception {
        assertTrue(((FastCli.Bindable) fast).bindFast(args), () -> "fast path declined " + Arrays.toString(args));
        CommandLine cl = new CommandLine(slow);
        cl.parseArgs(Arrays.copyOfRange(args, 1, args.length));
        assertEquals(fields(slow), fields(fast), Arrays.toString(args));
    }

    @Test
    void applyBindsLikePicocli() throws Exception {
        same(new ApplyCommand(), new ApplyCommand(), "apply", "a", "/mnt/x");
        same(new ApplyCommand(), new ApplyCommand(), "apply", "a", "/mnt/x", "--store", "/s", "-q");
        same(new ApplyCommand(), new ApplyCommand(), "apply", "--store=/s", "a", "--threads", "4", "/mnt/x", "--json", "--quiet");
    }

    @Test
    void captureBindsLikePicocli() throws Exception {
        same(new CaptureCommand(), new CaptureCommand(), "capture", "/src", "--name", "n");
        same(new CaptureCommand(), new CaptureCommand(), "capture", "/src", "--name=n", "--store", "/s", "-q", "--level", "7",
                "--description", "d", "--flags", "f", "--user-info", "u", "--volume", "--json");
    }

    @Test
    void declinesWhatItDoesNotHandle() {
        String[][] lines = {
                {"apply", "a"}, {"apply", "a", "b", "c"}, {"apply", "a", "b", "--help"}, {"apply", "a", "b", "--threads", "x"},
                {"apply", "a", "b", "-q", "-q"}, {"apply", "a", "b", "-q", "--quiet"}, {"apply", "--", "a", "b"},
                {"apply", "a", "b", "--store"}, {"apply", "a", "b", "-qv"}, {"capture", "/src"}, {"capture", "/src", "--name", "n", "--level", "x"},
        };
        for (String[] l : lines) {
            Object c = l[0].equals("apply") ? new ApplyCommand() : new CaptureCommand();
            assertFalse(((FastCli.Bindable) c).bindFast(l), Arrays.toString(l));
        }
    }
}
