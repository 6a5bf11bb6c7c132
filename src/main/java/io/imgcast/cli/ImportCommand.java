package io.imgcast.cli;

import io.imgcast.store.ImageInfo;
import io.imgcast.store.Store;
import io.imgcast.store.Transfer;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "import", description = {"Add an image from a file made by 'imgcast export'; every chunk is verified first.",
        "FILE '-' reads standard input. A store directory that does not exist yet (or is empty) becomes a new store."})
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "an export file, or - for standard input") String file;
    @Option(names = "--name", paramLabel = "NAME", description = "import under another name (default: the name it was exported with)") String name;
    @Option(names = {"-q", "--quiet"}, description = "no progress (a bar on a terminal, else a line on standard error every few seconds)") boolean quiet;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        if (file.equals("-") && System.console() != null && System.console().isTerminal()) {
            throw new CliException(ExitCode.USAGE, "standard input is a terminal; pipe an export into it ('... | imgcast import -') or give a file name");
        }
        if (!file.equals("-") && !Files.exists(Path.of(file))) throw new CliException(ExitCode.NOT_FOUND, "no such file: " + file);
        try (Store s = store.openOrCreate(System.err); Progress p = Progress.forTerminal("import", 0, quiet)) {
            long before = s.packBytes();
            ImageInfo i;
            if (file.equals("-")) {
                i = Transfer.importStream(s, System.in, "standard input", name, p);
            } else {
                i = Transfer.importFile(s, Path.of(file), name, p);
            }
            p.close();
            System.out.printf("imported %s (%s image, %s); store grew by %s%n", i.name(), i.kind().label(), Units.bytes(i.bytes()),
                    Units.bytes(s.packBytes() - before));
            return 0;
        }
    }
}
