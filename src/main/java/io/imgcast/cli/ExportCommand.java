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

@Command(mixinStandardHelpOptions = true, name = "export", description = {"Write one image, with all its data, to a self-contained file"
        + " ('imgcast import' reads it). FILE '-' writes to standard output, e.g. 'imgcast export lab - | ssh host imgcast import -'."})
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "image to export") String name;
    @Parameters(index = "1", paramLabel = "FILE", description = "file to write (replaced atomically when complete), or - for standard output") String file;
    @Option(names = {"-q", "--quiet"}, description = "no progress (a bar on a terminal, else a line on standard error every few seconds)") boolean quiet;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        if (file.equals("-") && System.console() != null && System.console().isTerminal()) {
            throw new CliException(ExitCode.USAGE, "standard output is a terminal; redirect it ('imgcast export " + name
                    + " - > file', '| ssh host imgcast import -') or give a file name");
        }
        try (Store s = store.open(); Progress p = Progress.forTerminal("export " + name, 0, quiet)) {
            StoreOption.image(s, name);
            if (file.equals("-")) {
                // the data goes to standard output: the summary to standard error
                long size = Transfer.export(s, name, System.out, p);
                p.close();
                if (System.out.checkError()) throw new CliException(ExitCode.ERROR, "writing to standard output failed (closed pipe?)");
                if (!quiet) System.err.printf("exported %s to standard output (%s)%n", name, Units.bytes(size));
                return 0;
            }
            long size = Transfer.export(s, name, Path.of(file), p);
            p.close();
            System.out.printf("exported %s to %s (%s)%n", name, file, Units.bytes(size));
            return 0;
        }
    }
}
