package io.imgcast.cli;

import io.imgcast.demo.Demo;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "demo", description = "In a private network lab it creates and removes (needs root), deploy two related images to several machines in one multicast session.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--receivers", defaultValue = "6", paramLabel = "N", description = "machines (default ${DEFAULT-VALUE}); the last joins late") int receivers;
    @Option(names = "--loss", defaultValue = "0", paramLabel = "PCT", description = "random loss at every machine, percent (default ${DEFAULT-VALUE})") double loss;
    @Option(names = "--rate", defaultValue = "300Mbit", paramLabel = "BITS/S", description = "stream rate cap in bits per second, e.g. 300Mbit, 1Gbit (default ${DEFAULT-VALUE})") String rate;
    @Option(names = "--scale", defaultValue = "1", paramLabel = "N", description = "image size multiplier (default ${DEFAULT-VALUE})") int scale;
    @Option(names = "--keep", description = "keep the work directory (images, targets, logs)") boolean keep;

    @Override
    public Integer call() throws Exception {
        Path script = Path.of(System.getProperty("imgcast.home", "."), "lab", "lab.sh");
        if (!Files.exists(script)) {
            System.err.println("imgcast: cannot find lab/lab.sh (run the demo from the imgcast checkout, or via ./imgcast)");
            return 2;
        }
        if (receivers < 2 || receivers > 40) {
            System.err.println("imgcast: --receivers must be 2..40");
            return 2;
        }
        UnitConverters.convert(rate, Units.Quantity.BIT_RATE); // a bad rate fails here, not in the lab's server
        return new Demo(new Demo.Options(receivers, loss, rate, scale, script, keep), System.out).run();
    }
}
