package io.imgcast.cli;

import io.imgcast.store.Store;
import picocli.CommandLine.Command;
import io.imgcast.store.ImageInfo;
import io.imgcast.util.Units;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "delete", description = "Remove an image from the catalog (run 'imgcast gc' to reclaim its space).")
final class DeleteCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "image to delete") String name;
    @Option(names = "--dry-run", description = "only say what would be deleted; change nothing") boolean dryRun;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        try (Store s = store.open()) {
            ImageInfo i = StoreOption.image(s, name);
            if (dryRun) {
                Store.Unique u = s.unique(i);
                System.out.printf("would delete %s (%s image, %s)%s; nothing changed%n", name, i.kind().label(), Units.bytes(i.bytes()),
                        u.known() ? "; 'imgcast gc' would then reclaim about " + Units.bytes(u.storedBytes()) + " no other image uses" : "");
                return 0;
            }
            s.delete(name);
            System.out.printf("deleted %s; run 'imgcast gc' to reclaim space no other image uses%n", name);
            return 0;
        }
    }
}
