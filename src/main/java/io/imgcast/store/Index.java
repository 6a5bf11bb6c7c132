package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.ImageKind;
import io.imgcast.util.Timing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store's SQLite index ({@code index.db}, WAL): its schema, its upgrades and every SQL
 * statement of the store. Tables:
 *
 * <pre>
 *   meta   key → value: public_key (the store key's X.509 encoding), zstd_dict (the store's
 *          dictionary, once trained), last_pack (the highest pack number ever committed)
 *   pack   id → size: the pack files and how many of their bytes are committed
 *   chunk  id → pack, off, slen, rlen, codec: where each chunk's record is
 *   image  id, name (unique), kind, descriptive data, files, dirs, bytes, chunks, the manifest
 *          blob with its SHA-256 and signature, stored (bytes of records it references)
 *   bad_chunk  id → reason, seen: chunks a reader (verify, apply, serve, export) found damaged;
 *          the next ingest that meets such a chunk checks it and stores a good copy
 * </pre>
 *
 * Which images reference a chunk is read from their manifests; there is no per-image chunk
 * table (an index written before that is upgraded when it is opened). Every change is made in
 * one {@link #transaction}; reads see committed state only. Methods are synchronized: one
 * connection, one statement at a time. A failing statement is reported as a
 * {@link StoreException} that suggests {@code imgcast verify}.
 */
final class Index implements AutoCloseable {
    /** Work inside a transaction, on the index's connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection db) throws SQLException;
    }

    /** A chunk's id and its record's location, as {@link #forEachChunk} visits them. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(ChunkId id, ChunkLocation location);
    }

    /** A new image's catalog row. */
    record ImageRow(String name, ImageKind kind, String description, String flags, long created, String userInfo,
                    long files, long dirs, long bytes, long chunks, StoredManifest manifest, long storedBytes) {}

    private static final String INFO_COLUMNS = "id, name, kind, description, flags, created, user_info, files, dirs, bytes, chunks,"
            + " stored";
    private static final String LOCATION_COLUMNS = "pack, off, slen, rlen, codec";
    private static final int LOOKUP_BATCH = 500;

    private final Connection db;

    private Index(Connection db) {
        this.db = db;
    }

    // ---- schema and upgrades ------------------------------------------------------------------

    /** Creates the tables of a new store's index and records its public key. */
    static void create(Path file, byte[] publicKey) throws SQLException {
        try (Index index = new Index(connect(file)); Statement s = index.db.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB)");
            s.executeUpdate("CREATE TABLE IF NOT EXISTS pack(id INTEGER PRIMARY KEY, size INTEGER NOT NULL)");
            s.executeUpdate("CREATE TABLE IF NOT EXISTS chunk(id BLOB PRIMARY KEY, pack INTEGER NOT NULL, off INTEGER NOT NULL,"
                    + " slen INTEGER NOT NULL, rlen INTEGER NOT NULL, codec INTEGER NOT NULL) WITHOUT ROWID");
            // which images reference a chunk is read from their manifests (no per-image chunk table:
            // it took more room than the manifests themselves)
            s.executeUpdate("CREATE TABLE IF NOT EXISTS image(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
                    + " description TEXT, flags TEXT, created INTEGER, user_info TEXT, files INTEGER, dirs INTEGER, bytes INTEGER,"
                    + " chunks INTEGER, manifest BLOB NOT NULL, manifest_sha BLOB NOT NULL, signature BLOB NOT NULL,"
                    + " stored INTEGER NOT NULL DEFAULT 0)");
            createBadChunkTable(s);
            index.putMeta("public_key", publicKey);
        }
    }

    private static void createBadChunkTable(Statement s) throws SQLException {
        s.executeUpdate("CREATE TABLE IF NOT EXISTS bad_chunk(id BLOB PRIMARY KEY, reason TEXT, seen INTEGER) WITHOUT ROWID");
    }

    /**
     * Writes a whole new index at {@code file} (which must not exist) in one transaction: what
     * {@code imgcast repair} found in the packs and image records.
     */
    static void rebuild(Path file, byte[] publicKey, byte[] dictionary, long lastPack, Map<Long, Long> packSizes,
                        Map<ChunkId, ChunkLocation> chunks, List<ImageRow> images, Map<ChunkId, String> bad, long nowMs) throws SQLException {
        create(file, publicKey);
        try (Index index = new Index(connect(file))) {
            index.transaction(db -> {
                try (PreparedStatement pk = db.prepareStatement("INSERT INTO pack(id, size) VALUES (?, ?)");
                     PreparedStatement ck = db.prepareStatement("INSERT INTO chunk(id, pack, off, slen, rlen, codec) VALUES (?, ?, ?, ?, ?, ?)");
                     PreparedStatement bk = db.prepareStatement("INSERT OR REPLACE INTO bad_chunk(id, reason, seen) VALUES (?, ?, ?)")) {
                    for (Map.Entry<Long, Long> p : packSizes.entrySet()) {
                        pk.setLong(1, p.getKey());
                        pk.setLong(2, p.getValue());
                        pk.addBatch();
                    }
                    pk.executeBatch();
                    for (Map.Entry<ChunkId, ChunkLocation> c : chunks.entrySet()) {
                        setChunk(ck, c.getKey(), c.getValue());
                        ck.addBatch();
                    }
                    ck.executeBatch();
                    for (Map.Entry<ChunkId, String> b : bad.entrySet()) {
                        bk.setBytes(1, b.getKey().toBytes());
                        bk.setString(2, b.getValue());
                        bk.setLong(3, nowMs);
                        bk.addBatch();
                    }
                    bk.executeBatch();
                }
                for (ImageRow r : images) index.insertImage(db, r);
                if (dictionary != null) index.putMeta("zstd_dict", dictionary);
                index.raiseLastPackId(lastPack);
                return null;
            });
            index.checkpoint();
        }
    }

    /** Opens an existing index and brings it up to date. */
    static Index open(Path file) throws SQLException {
        Connection c = connect(file);
        Timing.mark("so-connect");
        Index index = new Index(c);
        try {
            index.upgrade();
        } catch (SQLException | RuntimeException e) {
            index.close();
            throw e;
        }
        return index;
    }

    private static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Timing.mark("so-getConnection");
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=30000");
            s.execute("PRAGMA foreign_keys=OFF");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Brings an index written by an earlier version up to date: the per-image chunk table
     * (image_chunk) and the chunk-by-pack index give way to a stored-bytes column on image.
     * Two processes may open an old index at once: the check is repeated inside the transaction.
     */
    private synchronized void upgrade() throws SQLException {
        if (!hasTable("meta")) {
            throw new SQLException("index.db holds no store index (no table 'meta')");
        }
        if (!hasTable("bad_chunk")) {
            try {
                transaction(db -> {
                    try (Statement s = db.createStatement()) {
                        createBadChunkTable(s);
                    }
                    return null;
                });
            } catch (SQLException e) {
                // a store this process may only read: it keeps no notes of bad chunks (see badChunks)
            }
        }
        if (!hasTable("image_chunk")) return;
        transaction(db -> {
            if (!hasTable("image_chunk")) return null;
            try (Statement s = db.createStatement()) {
                boolean hasStored = false;
                try (ResultSet r = s.executeQuery("PRAGMA table_info(image)")) {
                    while (r.next()) hasStored |= "stored".equals(r.getString("name"));
                }
                if (!hasStored) s.executeUpdate("ALTER TABLE image ADD COLUMN stored INTEGER NOT NULL DEFAULT 0");
                s.executeUpdate("UPDATE image SET stored = (SELECT coalesce(sum(c.slen), 0) FROM image_chunk ic"
                        + " JOIN chunk c ON c.id = ic.chunk WHERE ic.image = image.id)");
                s.executeUpdate("DROP INDEX IF EXISTS image_chunk_chunk");
                s.executeUpdate("DROP TABLE image_chunk");
                s.executeUpdate("DROP INDEX IF EXISTS chunk_pack");
            }
            return null;
        });
        try (Statement s = db.createStatement()) {
            s.execute("VACUUM"); // give the dropped tables' pages back to the file system
        } catch (SQLException e) {
            // another process has the index open: the space stays free inside index.db
        }
    }

    synchronized boolean hasTable(String name) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    // ---- transactions -----------------------------------------------------------------------

    /**
     * Runs {@code work} in one transaction and commits it; on any failure rolls back and rethrows.
     * {@code BEGIN IMMEDIATE} takes the write lock at once (waiting up to the busy timeout), so a
     * read inside the transaction still holds when it writes.
     */
    synchronized <T> T transaction(Work<T> work) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run(db);
                s.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    s.execute("ROLLBACK");
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
        }
    }

    static StoreException failure(SQLException e) {
        return new StoreException("store index error: " + e.getMessage()
                + " (run 'imgcast verify'; the index may be damaged)", e);
    }

    // ---- meta ---------------------------------------------------------------------------------

    synchronized byte[] meta(String key) {
        try (PreparedStatement p = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getBytes(1) : null;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private void putMeta(String key, byte[] value) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")) {
            p.setString(1, key);
            p.setBytes(2, value);
            p.executeUpdate();
        }
    }

    /** The store key's public half (X.509), or null in a damaged index. */
    byte[] publicKey() {
        return meta("public_key");
    }

    /** The store's zstd dictionary, or null before one was trained. */
    byte[] dictionary() {
        return meta("zstd_dict");
    }

    /**
     * The highest pack number ever committed. Pack numbers are never reused: a long-lived Store
     * (a server) may still hold a deleted pack open under its number, and must not read a new
     * pack's offsets from it.
     */
    synchronized long lastPackId() {
        try (PreparedStatement p = db.prepareStatement("SELECT value FROM meta WHERE key = 'last_pack'");
             ResultSet r = p.executeQuery()) {
            return r.next() ? r.getLong(1) : 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Records {@code id} as the highest pack number, inside the caller's transaction. */
    private void raiseLastPackId(long id) throws SQLException {
        if (id <= lastPackId()) return;
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES ('last_pack', ?)")) {
            p.setLong(1, id);
            p.executeUpdate();
        }
    }

    // ---- catalog ------------------------------------------------------------------------------

    synchronized List<ImageInfo> images() {
        try (PreparedStatement p = db.prepareStatement("SELECT " + INFO_COLUMNS + " FROM image ORDER BY created, id");
             ResultSet r = p.executeQuery()) {
            List<ImageInfo> out = new ArrayList<>();
            while (r.next()) out.add(info(r));
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    synchronized Optional<ImageInfo> find(String name) {
        try (PreparedStatement p = db.prepareStatement("SELECT " + INFO_COLUMNS + " FROM image WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(info(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static ImageInfo info(ResultSet r) throws SQLException {
        return new ImageInfo(r.getLong(1), r.getString(2), ImageKind.valueOf(r.getString(3)), r.getString(4), r.getString(5),
                r.getLong(6), r.getString(7), r.getLong(8), r.getLong(9), r.getLong(10), r.getLong(11), r.getLong(12));
    }

    /** An image's manifest blob with its recorded hash and signature; empty once the image is deleted. */
    synchronized Optional<StoredManifest> storedManifest(long imageId) {
        try (PreparedStatement p = db.prepareStatement("SELECT manifest, manifest_sha, signature FROM image WHERE id = ?")) {
            p.setLong(1, imageId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(new StoredManifest(r.getBytes(1), r.getBytes(2), r.getBytes(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Removes an image from the catalog (its chunks stay). */
    synchronized void deleteImage(long imageId) {
        try {
            transaction(db -> {
                try (PreparedStatement p = db.prepareStatement("DELETE FROM image WHERE id = ?")) {
                    p.setLong(1, imageId);
                    return p.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    // ---- chunks and packs ---------------------------------------------------------------------

    /** Locations of the given chunks; those not in the index are absent from the map. */
    synchronized Map<ChunkId, ChunkLocation> locations(Collection<ChunkId> ids) {
        List<ChunkId> list = new ArrayList<>(ids);
        Map<ChunkId, ChunkLocation> m = new HashMap<>(Math.max(16, list.size() * 2));
        try (PreparedStatement full = list.size() >= LOOKUP_BATCH ? lookup(LOOKUP_BATCH) : null) {
            for (int i = 0; i < list.size(); i += LOOKUP_BATCH) {
                int n = Math.min(LOOKUP_BATCH, list.size() - i);
                PreparedStatement p = n == LOOKUP_BATCH ? full : lookup(n);
                try {
                    for (int k = 0; k < n; k++) p.setBytes(k + 1, list.get(i + k).toBytes());
                    try (ResultSet r = p.executeQuery()) {
                        while (r.next()) m.put(ChunkId.of(r.getBytes(1)), location(r, 2));
                    }
                } finally {
                    if (p != full) p.close();
                }
            }
            return m;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private PreparedStatement lookup(int n) throws SQLException {
        return db.prepareStatement("SELECT id, " + LOCATION_COLUMNS + " FROM chunk WHERE id IN (" + "?,".repeat(n - 1) + "?)");
    }

    synchronized Optional<ChunkLocation> location(ChunkId id) {
        try (PreparedStatement p = db.prepareStatement("SELECT " + LOCATION_COLUMNS + " FROM chunk WHERE id = ?")) {
            p.setBytes(1, id.toBytes());
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(location(r, 1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static ChunkLocation location(ResultSet r, int col) throws SQLException {
        return new ChunkLocation(r.getLong(col), r.getLong(col + 1), r.getInt(col + 2), r.getInt(col + 3), (byte) r.getInt(col + 4));
    }

    /** Every chunk in the index with its stored length (for dedup during ingest). */
    synchronized Map<ChunkId, Integer> allChunks() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT id, slen FROM chunk")) {
            Map<ChunkId, Integer> ids = new HashMap<>();
            while (r.next()) ids.put(ChunkId.of(r.getBytes(1)), r.getInt(2));
            return ids;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Visits every chunk in the index in pack order, each pack's records by offset. */
    synchronized void forEachChunk(ChunkVisitor visitor) {
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT id, " + LOCATION_COLUMNS + " FROM chunk ORDER BY pack, off")) {
            while (r.next()) visitor.visit(ChunkId.of(r.getBytes(1)), location(r, 2));
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** The packs listed in the index with their committed sizes. */
    synchronized Map<Long, Long> packs() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT id, size FROM pack")) {
            Map<Long, Long> sizes = new HashMap<>();
            while (r.next()) sizes.put(r.getLong(1), r.getLong(2));
            return sizes;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Total bytes of pack files listed in the index. */
    synchronized long packBytes() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT coalesce(sum(size), 0) FROM pack")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    // ---- changes ------------------------------------------------------------------------------

    /**
     * Makes an image visible in one transaction: lists the packs written for it with their sizes,
     * indexes the chunks new to the store, adds the image's row and, when the image brought the
     * store's first dictionary, records it. An image of the same name refuses the whole change.
     * A chunk in {@code newChunks} that the index already lists (a good copy of a chunk found
     * damaged) moves to its new record; none of {@code newChunks}, nor of {@code goodAgain}
     * (known bad, but whose stored copy checked good this time), is known bad any more.
     */
    void addImage(Map<Long, Long> packSizes, Map<ChunkId, ChunkLocation> newChunks, ImageRow image, byte[] dictionary) {
        addImage(packSizes, newChunks, List.of(), image, dictionary);
    }

    /**
     * As {@link #addImage(Map, Map, ImageRow, byte[])}; also forgets that the chunks in
     * {@code goodAgain} were bad (their stored copy checked good this time).
     */
    synchronized void addImage(Map<Long, Long> packSizes, Map<ChunkId, ChunkLocation> newChunks, Collection<ChunkId> goodAgain,
                               ImageRow image, byte[] dictionary) {
        try {
            transaction(db -> {
                try (PreparedStatement pk = db.prepareStatement("INSERT OR REPLACE INTO pack(id, size) VALUES (?, ?)");
                     PreparedStatement ck = db.prepareStatement("INSERT OR REPLACE INTO chunk(id, pack, off, slen, rlen, codec) VALUES (?, ?, ?, ?, ?, ?)");
                     PreparedStatement good = db.prepareStatement("DELETE FROM bad_chunk WHERE id = ?")) {
                    for (Map.Entry<Long, Long> p : packSizes.entrySet()) {
                        pk.setLong(1, p.getKey());
                        pk.setLong(2, p.getValue());
                        pk.addBatch();
                    }
                    pk.executeBatch();
                    if (!packSizes.isEmpty()) raiseLastPackId(Collections.max(packSizes.keySet()));
                    for (Map.Entry<ChunkId, ChunkLocation> c : newChunks.entrySet()) {
                        setChunk(ck, c.getKey(), c.getValue());
                        ck.addBatch();
                    }
                    ck.executeBatch();
                    if (hasBadChunks()) {
                        for (ChunkId id : newChunks.keySet()) {
                            good.setBytes(1, id.toBytes());
                            good.addBatch();
                        }
                        for (ChunkId id : goodAgain) {
                            good.setBytes(1, id.toBytes());
                            good.addBatch();
                        }
                        good.executeBatch();
                    }
                    Timing.mark("commit-chunks");
                    insertImage(db, image);
                    Timing.mark("commit-image");
                    if (dictionary != null) putMeta("zstd_dict", dictionary);
                }
                return null;
            });
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("UNIQUE constraint failed: image.name")) {
                throw new StoreException("an image named '" + image.name() + "' already exists; pick another --name or delete it first");
            }
            throw failure(e);
        }
    }

    /**
     * Switches the index from pack {@code old} to its rewritten copy in one transaction: drops
     * the old pack and its chunks, lists {@code newPack} (when some chunks moved; else pass
     * {@code newPack} &lt; 0) with {@code newSize} bytes and the moved chunks' new locations.
     */
    synchronized void replacePack(long old, long newPack, long newSize, Map<ChunkId, ChunkLocation> moved) {
        try {
            transaction(db -> {
                try (PreparedStatement delChunks = db.prepareStatement("DELETE FROM chunk WHERE pack = ?");
                     PreparedStatement delPack = db.prepareStatement("DELETE FROM pack WHERE id = ?");
                     PreparedStatement addPack = db.prepareStatement("INSERT INTO pack(id, size) VALUES (?, ?)");
                     PreparedStatement addChunk = db.prepareStatement("INSERT INTO chunk(id, pack, off, slen, rlen, codec) VALUES (?, ?, ?, ?, ?, ?)")) {
                    delChunks.setLong(1, old);
                    delChunks.executeUpdate();
                    delPack.setLong(1, old);
                    delPack.executeUpdate();
                    if (newPack >= 0) {
                        addPack.setLong(1, newPack);
                        addPack.setLong(2, newSize);
                        addPack.executeUpdate();
                        for (Map.Entry<ChunkId, ChunkLocation> m : moved.entrySet()) {
                            setChunk(addChunk, m.getKey(), m.getValue());
                            addChunk.addBatch();
                        }
                        addChunk.executeBatch();
                    }
                    raiseLastPackId(newPack >= 0 ? newPack : old);
                }
                return null;
            });
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private void insertImage(Connection db, ImageRow image) throws SQLException {
        try (PreparedStatement im = db.prepareStatement("INSERT INTO image(name, kind, description, flags, created, user_info,"
                + " files, dirs, bytes, chunks, manifest, manifest_sha, signature, stored) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            im.setString(1, image.name());
            im.setString(2, image.kind().name());
            im.setString(3, image.description());
            im.setString(4, image.flags());
            im.setLong(5, image.created());
            im.setString(6, image.userInfo());
            im.setLong(7, image.files());
            im.setLong(8, image.dirs());
            im.setLong(9, image.bytes());
            im.setLong(10, image.chunks());
            im.setBytes(11, image.manifest().blob());
            im.setBytes(12, image.manifest().sha256());
            im.setBytes(13, image.manifest().signature());
            im.setLong(14, image.storedBytes());
            im.executeUpdate();
        }
    }

    // ---- known-bad chunks -----------------------------------------------------------------------

    /** The chunks found damaged and not yet replaced by a good copy. */
    synchronized Map<ChunkId, String> badChunks() {
        try {
            if (!hasTable("bad_chunk")) return Map.of();
        } catch (SQLException e) {
            throw failure(e);
        }
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT id, reason FROM bad_chunk")) {
            Map<ChunkId, String> out = new HashMap<>();
            while (r.next()) out.put(ChunkId.of(r.getBytes(1)), r.getString(2));
            return out;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private boolean hasBadChunks() throws SQLException {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT 1 FROM bad_chunk LIMIT 1")) {
            return r.next();
        }
    }

    /** Remembers that a reader found chunk {@code id} damaged. */
    synchronized void markBad(ChunkId id, String reason, long nowMs) {
        try {
            transaction(db -> {
                try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO bad_chunk(id, reason, seen) VALUES (?, ?, ?)")) {
                    p.setBytes(1, id.toBytes());
                    p.setString(2, reason);
                    p.setLong(3, nowMs);
                    return p.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static void setChunk(PreparedStatement p, ChunkId id, ChunkLocation l) throws SQLException {
        p.setBytes(1, id.toBytes());
        p.setLong(2, l.pack());
        p.setLong(3, l.offset());
        p.setInt(4, l.storedLength());
        p.setInt(5, l.rawLength());
        p.setInt(6, l.codec());
    }

    /** Moves the write-ahead log into the database file and empties it (after gc). */
    synchronized void checkpoint() {
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
    }
}
