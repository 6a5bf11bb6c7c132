package io.imgcast.testutil;

import io.imgcast.store.ImageInfo;
import io.imgcast.store.Store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A comparable picture of a store on disk: pack files with the SHA-256 of their content, the
 * catalog (image names and ids), the indexed packs and chunks. Equal states mean the store was
 * not changed.
 */
public record StoreState(Map<String, String> packFiles, List<String> images, Map<Long, Long> listedPacks, long chunkRows) {

    public static StoreState of(Path storeDir) {
        Map<String, String> packs = new TreeMap<>();
        try (Stream<Path> s = Files.list(storeDir.resolve("packs"))) {
            for (Path p : s.toList()) packs.put(p.getFileName().toString(), sha256(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> images = new ArrayList<>();
        try (Store st = Store.open(storeDir, false)) {
            for (ImageInfo i : st.images()) images.add(i.id() + ":" + i.name());
        }
        Map<Long, Long> listed = new TreeMap<>();
        long chunks;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + storeDir.resolve("index.db"));
             Statement st = c.createStatement()) {
            try (ResultSet r = st.executeQuery("SELECT id, size FROM pack")) {
                while (r.next()) listed.put(r.getLong(1), r.getLong(2));
            }
            try (ResultSet r = st.executeQuery("SELECT count(*) FROM chunk")) {
                r.next();
                chunks = r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new StoreState(packs, images, listed, chunks);
    }

    /** Pack file names in the directory that the index does not list. */
    public TreeSet<String> unlistedPackFiles() {
        TreeSet<String> out = new TreeSet<>(packFiles.keySet());
        for (Long id : listedPacks.keySet()) out.remove(String.format("%08d.pack", id));
        return out;
    }

    static String sha256(Path p) {
        try (var in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
