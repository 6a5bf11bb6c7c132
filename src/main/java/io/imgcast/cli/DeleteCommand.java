package io.imgcast.cli;

import io.imgcast.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "delete", description = "Remove an image from the catalog (run 'imgcast gc' to reclaim its space).")
final class DeleteCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        try (Store s = store.open()) {
            s.delete(name);
            System.out.printf("deleted %s; run 'imgcast gc' to reclaim space no other image uses%n", name);
            return 0;
        }
    }
}
