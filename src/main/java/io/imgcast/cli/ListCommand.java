package io.imgcast.cli;

import io.imgcast.store.ImageInfo;
import io.imgcast.store.ImageName;
import io.imgcast.store.Store;
import io.imgcast.util.Json;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "list", description = "List the images in the store.")
final class ListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print the store and its images as one JSON object") boolean json;
    @Mixin StoreOption store;

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    @Override
    public Integer call() {
        try (Store s = store.open()) {
            List<ImageInfo> images = s.images();
            if (json) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (ImageInfo i : images) out.add(InfoCommand.toMap(s, i));
                var d = s.dictionary();
                System.out.println(Json.write(Map.of("store", s.dir().toString(), "pack_bytes", s.packBytes(), "images", out,
                        "dictionary", d == null ? Map.of() : Map.of("id", d.id(), "bytes", d.size()))));
                return 0;
            }
            System.out.printf("%-24s %-9s %9s %7s %11s %11s %11s  %s%n", "NAME", "KIND", "FILES", "DIRS", "BYTES", "STORED", "UNIQUE", "CREATED");
            for (ImageInfo i : images) {
                System.out.printf("%-24s %-9s %9d %7d %11s %11s %11s  %s%n", io.imgcast.store.ImageName.printable(i.name()), i.kind().label(), i.files(), i.dirs(),
                        Units.bytes(i.bytes()), Units.bytes(i.storedBytes()), uniqueText(s.unique(i)),
                        TIME.format(Instant.ofEpochMilli(i.created())));
            }
            var d = s.dictionary();
            System.out.printf("%d images, store %s holds %s%s%n", images.size(), s.dir(), Units.bytes(s.packBytes()),
                    d == null ? "" : " (zstd dictionary " + d.id() + ", " + Units.bytes(d.size()) + ")");
            return 0;
        }
    }

    /** Unique stored bytes, or "damaged" when the image's manifest cannot be read. */
    static String uniqueText(Store.Unique u) {
        return u.known() ? Units.bytes(u.storedBytes()) : "damaged";
    }
}
