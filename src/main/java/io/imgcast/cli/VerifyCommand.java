package io.imgcast.cli;

import io.imgcast.store.ImageName;
import io.imgcast.store.Store;
import io.imgcast.store.Verifier;
import io.imgcast.util.Json;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "verify", description = "Read every byte of the named images (default: all) back and check it against its hash. Exit 3 on damage.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "0..*", description = "images to verify (default: all)") List<String> names = new ArrayList<>();
    @Option(names = "--json", description = "print the result as one JSON object on standard output (and no progress)") boolean json;
    @Option(names = {"-q", "--quiet"}, description = "no progress (a bar on a terminal, else a line on standard error every few seconds)") boolean quiet;
    @Mixin StoreOption store;

    @Override
    public Integer call() {
        try (Store s = store.open(); Progress p = Progress.forTerminal("verify", 0, quiet || json)) {
            for (String n : names) StoreOption.image(s, n);
            Verifier.Report r = Verifier.run(s, names, Runtime.getRuntime().availableProcessors(), p);
            p.close();
            if (json) {
                List<Object> imgs = new ArrayList<>();
                for (Verifier.ImageReport i : r.images()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", i.name());
                    m.put("ok", i.ok());
                    m.put("problems", i.problems());
                    imgs.add(m);
                }
                System.out.println(Json.write(Map.of("ok", r.ok(), "chunks", r.chunksChecked(), "bytes", r.bytesChecked(), "images", imgs)));
            } else {
                for (Verifier.ImageReport i : r.images()) {
                    System.out.printf("%-24s %s%n", io.imgcast.store.ImageName.printable(i.name()), i.ok() ? "ok" : "DAMAGED (" + i.problems().size() + " problems)");
                    int shown = 0;
                    for (String pr : i.problems()) {
                        if (shown++ == 20) {
                            System.out.printf("    ... and %d more%n", i.problems().size() - 20);
                            break;
                        }
                        System.out.println("    " + pr);
                    }
                }
                System.out.printf("checked %d chunks, %s: %s%n", r.chunksChecked(), Units.bytes(r.bytesChecked()),
                        r.ok() ? "all images intact" : "damage found; re-capture or re-import the damaged images");
            }
            return r.ok() ? ExitCode.OK.code : ExitCode.DAMAGE.code;
        }
    }
}
