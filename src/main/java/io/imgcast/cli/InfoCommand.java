package io.imgcast.cli;

import io.imgcast.store.ImageInfo;
import io.imgcast.store.ImageName;
import io.imgcast.store.Store;
import io.imgcast.util.Json;
import io.imgcast.util.Printable;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "info", description = "Show an image's descriptive data.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "image to describe") String name;
    @Option(names = "--json", description = "print it as one JSON object") boolean json;
    @Mixin StoreOption store;

    static Map<String, Object> toMap(Store s, ImageInfo i) {
        Store.Unique u = s.unique(i);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", i.name());
        m.put("kind", i.kind().label());
        m.put("description", i.description());
        m.put("flags", i.flags());
        m.put("files", i.files());
        m.put("dirs", i.dirs());
        m.put("bytes", i.bytes());
        m.put("chunks", i.chunks());
        m.put("stored_bytes", i.storedBytes());
        m.put("unique_bytes", u.known() ? u.rawBytes() : null);
        m.put("unique_stored_bytes", u.known() ? u.storedBytes() : null);
        m.put("created", Instant.ofEpochMilli(i.created()).toString());
        m.put("user_info", i.userInfo());
        m.put("manifest_sha256", java.util.HexFormat.of().formatHex(s.storedManifest(i).sha256()));
        return m;
    }

    @Override
    public Integer call() {
        try (Store s = store.open()) {
            ImageInfo i = StoreOption.image(s, name);
            Map<String, Object> m = toMap(s, i);
            if (json) {
                System.out.println(Json.write(m));
                return 0;
            }
            for (Map.Entry<String, Object> e : m.entrySet()) {
                Object v = e.getValue();
                if (e.getKey().endsWith("bytes") && v instanceof Long l) v = Units.bytes(l) + " (" + l + ")";
                if (v == null && e.getKey().startsWith("unique")) v = "unknown (the manifest is damaged)";
                if (v instanceof String text) v = e.getKey().equals("name") ? ImageName.printable(text) : Printable.of(text); // nothing that steers the terminal
                System.out.printf("%-20s %s%n", e.getKey().replace('_', ' ') + ":", v);
            }
            return 0;
        }
    }
}
