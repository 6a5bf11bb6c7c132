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

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "import", description = "Add an image from a file made by 'imgcast export'; every chunk is verified first.")
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Option(names = "--name", description = "import under another name") String name;
    @Option(names = {"-q", "--quiet"}) boolean quiet;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        try (Store s = store.openOrCreate(); Progress p = Progress.forTerminal("import", 0, quiet)) {
            long before = s.packBytes();
            ImageInfo i = Transfer.importFile(s, file, name, p);
            p.close();
            System.out.printf("imported %s (%s image, %s); store grew by %s%n", i.name(), i.kind().label(), Units.bytes(i.bytes()),
                    Units.bytes(s.packBytes() - before));
            return 0;
        }
    }
}
