package io.imgcast.cli;

import io.imgcast.store.Store;
import io.imgcast.store.Transfer;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "export", description = "Write one image, with all its data, to a self-contained file.")
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "FILE") Path file;
    @Option(names = {"-q", "--quiet"}) boolean quiet;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        try (Store s = store.open(); Progress p = Progress.forTerminal("export " + name, 0, quiet)) {
            long size = Transfer.export(s, name, file, p);
            p.close();
            System.out.printf("exported %s to %s (%s)%n", name, file, Units.bytes(size));
            return 0;
        }
    }
}
