package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One deduplicated store holding many images. Layout of the store directory:
 *
 * <pre>
 *   IMGCAST-STORE        marker and format version ("imgcast store 1")
 *   index.db             SQLite (WAL): chunk index, pack list, image catalog, manifests
 *   packs/NNNNNNNN.pack  append-only chunk records ({@link PackFormat})
 *   store.key            the store's Ed25519 signing key (PKCS#8); its public half is in index.db
 *   locks/               write.lock (one mutator at a time), gc.lock (gc vs. readers)
 * </pre>
 *
 * Tables of index.db: {@code chunk} (id → pack, offset, stored and raw length, codec), {@code pack}
 * (id → size), {@code image} (descriptive data, stored bytes, the manifest blob with its hash and
 * signature) and {@code meta}. Which images reference a chunk comes from their manifests; there is
 * no per-image chunk table (an index written before that is upgraded when the store is opened).
 *
 * Pack numbers only grow (meta key {@code last_pack}), so a number never names two different files.
 * Every image's manifest is signed with the store key over its name, kind and SHA-256.
 * An image becomes visible in one SQLite transaction, after its packs are fsynced, so readers
 * only ever see complete images and a killed writer leaves nothing but removable leftovers.
 */
public final class Store implements AutoCloseable {
    public static final String MARKER = "IMGCAST-STORE";
    private static final String VERSION_TEXT = "imgcast store 1\n";
    static final Duration LOCK_WAIT = Duration.ofSeconds(Long.getLong("imgcast.lockWaitSeconds", 30));

    private final Path dir;
    private final Connection db;
    private final PackSet packs;
    private final byte[] publicKeyBytes;
    private PublicKey publicKey;

    private Store(Path dir, Connection db, byte[] publicKeyBytes) {
        this.dir = dir;
        this.db = db;
        this.publicKeyBytes = publicKeyBytes;
        this.packs = new PackSet(dir.resolve("packs"));
    }

    /** Opens the store at {@code dir}, creating it if the directory is absent or empty. */
    public static Store open(Path dir) {
        return open(dir, true);
    }

    public static Store open(Path dir, boolean create) {
        dir = dir.toAbsolutePath().normalize();
        try {
            Path marker = dir.resolve(MARKER);
            if (!Files.exists(marker)) {
                if (!create) throw new StoreException("no imgcast store at " + dir + " (capture an image there first, or pass --store)");
                if (Files.isDirectory(dir)) {
                    try (var s = Files.list(dir)) {
                        if (s.findAny().isPresent()) {
                            throw new StoreException(dir + " is not empty and not an imgcast store; choose another --store directory");
                        }
                    }
                }
                initialize(dir);
            }
            String version = Files.readString(marker, StandardCharsets.UTF_8);
            if (!version.equals(VERSION_TEXT)) throw new StoreException(dir + ": unsupported store format '" + version.strip() + "'");
            io.imgcast.util.Timing.mark("so-marker");
            Connection c = connect(dir.resolve("index.db"));
            io.imgcast.util.Timing.mark("so-connect");
            try {
                upgradeIndex(c);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            byte[] pub = meta(c, "public_key");
            if (pub == null) throw new StoreException(dir + ": index.db has no public key; the store is damaged");
            return new Store(dir, c, pub);
        } catch (IOException e) {
            throw new StoreException("cannot open store " + dir + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new StoreException("store index " + dir.resolve("index.db") + " is unreadable: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new StoreException("store key of " + dir + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static void initialize(Path dir) throws IOException, SQLException, GeneralSecurityException {
        Files.createDirectories(dir.resolve("packs"));
        Files.createDirectories(dir.resolve("locks"));
        KeyPair kp = ImageSignature.newKeyPair();
        Path key = dir.resolve("store.key");
        Files.write(key, kp.getPrivate().getEncoded());
        try {
            Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        try (Connection c = connect(dir.resolve("index.db")); Statement s = c.createStatement()) {
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
            try (PreparedStatement p = c.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")) {
                p.setString(1, "public_key");
                p.setBytes(2, kp.getPublic().getEncoded());
                p.executeUpdate();
            }
        }
        Files.writeString(dir.resolve(MARKER), VERSION_TEXT, StandardCharsets.UTF_8);
    }

    static Connection connect(Path file) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        io.imgcast.util.Timing.mark("so-getConnection");
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=30000");
            s.execute("PRAGMA foreign_keys=OFF");
        }
        return c;
    }

    /**
     * Brings an index written by an earlier version up to date: the per-image chunk table
     * (image_chunk) and the chunk-by-pack index give way to a stored-bytes column on image.
     */
    private static void upgradeIndex(Connection c) throws SQLException {
        if (!hasTable(c, "image_chunk")) return;
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                if (hasTable(c, "image_chunk")) {
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
                s.execute("COMMIT");
            } catch (SQLException e) {
                s.execute("ROLLBACK");
                throw e;
            }
            try {
                s.execute("VACUUM"); // give the dropped tables' pages back to the file system
            } catch (SQLException e) {
                // another process has the index open: the space stays free inside index.db
            }
        }
    }

    private static boolean hasTable(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    private static byte[] meta(Connection c, String key) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getBytes(1) : null;
            }
        }
    }

    public Path dir() { return dir; }

    PackSet packs() { return packs; }

    Connection db() { return db; }

    /** The store's public key, parsed on first use (Ed25519 set-up is costly at start-up). */
    public synchronized PublicKey publicKey() {
        if (publicKey == null) {
            try {
                publicKey = ImageSignature.publicKey(publicKeyBytes);
            } catch (GeneralSecurityException e) {
                throw new StoreException("store key of " + dir + " is unreadable: " + e.getMessage(), e);
            }
        }
        return publicKey;
    }

    // ---- zstd dictionary ----------------------------------------------------------------------

    private io.imgcast.codec.ChunkCodec.Dictionary dictionary;
    private boolean dictionaryLoaded;

    /** The store's zstd dictionary (trained on its first image), or null. */
    public synchronized io.imgcast.codec.ChunkCodec.Dictionary dictionary() {
        if (!dictionaryLoaded) {
            try {
                byte[] b = meta(db, "zstd_dict");
                dictionary = b == null ? null : new io.imgcast.codec.ChunkCodec.Dictionary(b);
            } catch (SQLException e) {
                throw sqlFailure(e);
            }
            dictionaryLoaded = true;
        }
        return dictionary;
    }

    /**
     * The dictionary that the chunks at {@code locations} (of image {@code name}) need to be
     * decoded elsewhere (by receivers, from an export file), or null when none of them does.
     */
    public io.imgcast.codec.ChunkCodec.Dictionary dictionaryFor(String name, java.util.Collection<ChunkLocation> locations) {
        for (ChunkLocation l : locations) {
            if (io.imgcast.codec.ChunkCodec.needsDictionary(l.codec())) {
                io.imgcast.codec.ChunkCodec.Dictionary d = dictionary();
                if (d == null) throw new CorruptDataException("image " + name + " needs the store's dictionary, which is missing");
                return d;
            }
        }
        return null;
    }

    synchronized void dictionaryCommitted(io.imgcast.codec.ChunkCodec.Dictionary d) {
        dictionary = d;
        dictionaryLoaded = true;
    }

    // ---- locks ---------------------------------------------------------------------------

    /** Held by every mutator (capture, import, delete, gc): one at a time. */
    AutoCloseable lockWriter(String what) {
        return StoreLock.acquire(dir.resolve("locks/write.lock"), false, LOCK_WAIT,
                "another capture, import, delete or gc is running on store " + dir + "; wait for it to finish (" + what + ")");
    }

    /** Held while reading chunks (apply, verify, export, serve): keeps gc from moving them. */
    public StoreLock.Held lockReader() {
        return StoreLock.acquire(dir.resolve("locks/gc.lock"), true, LOCK_WAIT,
                "gc is running on store " + dir + "; try again when it has finished");
    }

    StoreLock.Held lockGc() {
        return StoreLock.acquire(dir.resolve("locks/gc.lock"), false, LOCK_WAIT,
                "the store " + dir + " is being read (apply, verify, export or serve); run gc when they have finished");
    }

    // ---- signing --------------------------------------------------------------------------

    /** Signs an image with the store key (read from store.key: only writers need it). */
    byte[] sign(String name, ImageKind kind, byte[] manifestSha) {
        try {
            return ImageSignature.sign(ImageSignature.privateKey(Files.readAllBytes(dir.resolve("store.key"))), name, kind, manifestSha);
        } catch (IOException | GeneralSecurityException e) {
            throw new StoreException("cannot sign with the store key " + dir.resolve("store.key") + ": " + e.getMessage(), e);
        }
    }

    // ---- catalog ---------------------------------------------------------------------------

    private static final String INFO_COLUMNS = "id, name, kind, description, flags, created, user_info, files, dirs, bytes, chunks,"
            + " stored";

    public synchronized List<ImageInfo> images() {
        try (PreparedStatement p = db.prepareStatement("SELECT " + INFO_COLUMNS + " FROM image ORDER BY created, id");
             ResultSet r = p.executeQuery()) {
            List<ImageInfo> out = new ArrayList<>();
            while (r.next()) out.add(info(r));
            return out;
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    public synchronized Optional<ImageInfo> find(String name) {
        try (PreparedStatement p = db.prepareStatement("SELECT " + INFO_COLUMNS + " FROM image WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(info(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    public ImageInfo image(String name) {
        return find(name).orElseThrow(() -> new StoreException("no image named '" + name + "' in store " + dir
                + " (see 'imgcast list')"));
    }

    private static ImageInfo info(ResultSet r) throws SQLException {
        return new ImageInfo(r.getLong(1), r.getString(2), ImageKind.valueOf(r.getString(3)), r.getString(4), r.getString(5),
                r.getLong(6), r.getString(7), r.getLong(8), r.getLong(9), r.getLong(10), r.getLong(11), r.getLong(12));
    }

    /** The manifest blob with its recorded hash and signature, unchecked (see {@link #manifest}). */
    public synchronized StoredManifest storedManifest(ImageInfo image) {
        try (PreparedStatement p = db.prepareStatement("SELECT manifest, manifest_sha, signature FROM image WHERE id = ?")) {
            p.setLong(1, image.id());
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) throw new StoreException("image '" + image.name() + "' was deleted meanwhile");
                return new StoredManifest(r.getBytes(1), r.getBytes(2), r.getBytes(3));
            }
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    /** Loads and checks an image's manifest: hash, signature and structure. */
    public Manifest manifest(ImageInfo image) {
        StoredManifest sm = storedManifest(image);
        io.imgcast.util.Timing.mark("m-read");
        MessageDigest sha = ChunkId.newDigest();
        if (!MessageDigest.isEqual(sha.digest(sm.blob()), sm.sha256())) {
            throw new CorruptDataException("manifest of image '" + image.name() + "' is corrupt (hash mismatch)");
        }
        io.imgcast.util.Timing.mark("m-sha");
        // the signature check and the decoding each take a while on a large manifest: side by side
        PublicKey key = publicKey();
        java.util.concurrent.CompletableFuture<Boolean> signed = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> ImageSignature.verify(key, image.name(), image.kind(), sm.sha256(), sm.signature()));
        Manifest m;
        try {
            m = ManifestFormat.decode(sm.blob());
        } finally {
            if (!signed.join()) throw new CorruptDataException("manifest of image '" + image.name() + "' has an invalid signature");
        }
        io.imgcast.util.Timing.mark("m-decode+ed25519");
        if (m.kind() != image.kind()) throw new CorruptDataException("manifest of image '" + image.name() + "' has the wrong kind");
        return m;
    }

    /** Locations of every chunk an image references (read from its checked manifest). Missing chunks are absent. */
    public Map<ChunkId, ChunkLocation> locations(ImageInfo image) {
        return locations(manifest(image).distinctChunks().keySet());
    }

    private static final int LOOKUP_BATCH = 500;

    /** Locations of the given chunks; those not in the index are absent from the map. */
    public synchronized Map<ChunkId, ChunkLocation> locations(java.util.Collection<ChunkId> ids) {
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
            throw sqlFailure(e);
        }
    }

    private PreparedStatement lookup(int n) throws SQLException {
        return db.prepareStatement("SELECT id, pack, off, slen, rlen, codec FROM chunk WHERE id IN (" + "?,".repeat(n - 1) + "?)");
    }

    /** Committed images are immutable: their chunk sets are cached by id, name and creation time. */
    private final Map<String, Set<ChunkId>> chunkSets = new HashMap<>();
    /** How many intact images reference each chunk, for the images listed in {@link #refKeys}. */
    private Map<ChunkId, Integer> refCounts = Map.of();
    private List<String> refKeys = List.of();

    private static String cacheKey(ImageInfo image) {
        return image.id() + "/" + image.created() + "/" + image.name();
    }

    /** The distinct chunks an image references, from its checked manifest. */
    public synchronized Set<ChunkId> chunkSet(ImageInfo image) {
        String key = cacheKey(image);
        Set<ChunkId> set = chunkSets.get(key);
        if (set == null) {
            set = Set.copyOf(manifest(image).distinctChunks().keySet());
            chunkSets.put(key, set);
        }
        return set;
    }

    public synchronized Optional<ChunkLocation> location(ChunkId id) {
        try (PreparedStatement p = db.prepareStatement("SELECT pack, off, slen, rlen, codec FROM chunk WHERE id = ?")) {
            p.setBytes(1, id.toBytes());
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(location(r, 1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    static ChunkLocation location(ResultSet r, int col) throws SQLException {
        return new ChunkLocation(r.getLong(col), r.getLong(col + 1), r.getInt(col + 2), r.getInt(col + 3), (byte) r.getInt(col + 4));
    }

    /**
     * Bytes of raw and stored data an image holds that no other image references; -1 for both
     * when the image's own manifest is damaged. Other images with a damaged manifest count as
     * referencing nothing.
     */
    public record Unique(long rawBytes, long storedBytes) {
        public boolean known() { return rawBytes >= 0; }
    }

    public synchronized Unique unique(ImageInfo image) {
        Set<ChunkId> mine;
        try {
            mine = chunkSet(image);
        } catch (CorruptDataException e) {
            return new Unique(-1, -1);
        }
        Map<ChunkId, Integer> counts = refCounts();
        List<ChunkId> only = new ArrayList<>();
        for (ChunkId id : mine) if (counts.getOrDefault(id, 0) == 1) only.add(id);
        long raw = 0, stored = 0;
        for (ChunkLocation l : locations(only).values()) {
            raw += l.rawLength();
            stored += l.storedLength();
        }
        return new Unique(raw, stored);
    }

    /**
     * References per chunk over the images now in the catalog (damaged ones count as referencing
     * nothing); rebuilt only when the set of images changed, which also drops deleted images'
     * cached chunk sets. One pass for all images, so listing n images stays linear.
     */
    private Map<ChunkId, Integer> refCounts() {
        List<ImageInfo> images = images();
        List<String> keys = images.stream().map(Store::cacheKey).toList();
        if (!keys.equals(refKeys)) {
            chunkSets.keySet().retainAll(keys);
            Map<ChunkId, Integer> counts = new HashMap<>();
            for (ImageInfo o : images) {
                try {
                    for (ChunkId id : chunkSet(o)) counts.merge(id, 1, Integer::sum);
                } catch (CorruptDataException e) {
                    // damaged: what it references is unknown
                }
            }
            refCounts = counts;
            refKeys = keys;
        }
        return refCounts;
    }

    /** Every chunk in the index with its stored length (for dedup during ingest). */
    synchronized Map<ChunkId, Integer> allChunks() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT id, slen FROM chunk")) {
            Map<ChunkId, Integer> ids = new HashMap<>();
            while (r.next()) ids.put(ChunkId.of(r.getBytes(1)), r.getInt(2));
            return ids;
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    /**
     * The highest pack number ever committed. Pack numbers are never reused: a long-lived Store
     * (a server) may still hold a deleted pack open under its number, and must not read a new
     * pack's offsets from it.
     */
    synchronized long lastPackId() {
        try {
            try (PreparedStatement p = db.prepareStatement("SELECT value FROM meta WHERE key = 'last_pack'");
                 ResultSet r = p.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    /** Records {@code id} as the highest pack number, inside the caller's transaction. */
    void raiseLastPackId(long id) throws SQLException {
        long last = lastPackId();
        if (id <= last) return;
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES ('last_pack', ?)")) {
            p.setLong(1, id);
            p.executeUpdate();
        }
    }

    /** Total bytes of pack files listed in the index. */
    public synchronized long packBytes() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT coalesce(sum(size), 0) FROM pack")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    /** Starts adding chunks and images; holds the writer lock until closed. */
    public Ingest beginIngest() {
        return new Ingest(this);
    }

    /** Opens a reader for chunk records. */
    public ChunkReader reader() {
        return new ChunkReader(packs, dictionary());
    }

    /** Removes an image from the catalog; its chunks stay until {@link GarbageCollector} runs. */
    public void delete(String name) {
        try (AutoCloseable lock = lockWriter("delete " + name)) {
            synchronized (this) {
                ImageInfo image = image(name);
                db.setAutoCommit(false);
                try (PreparedStatement b = db.prepareStatement("DELETE FROM image WHERE id = ?")) {
                    b.setLong(1, image.id());
                    b.executeUpdate();
                    db.commit();
                } catch (SQLException e) {
                    db.rollback();
                    throw e;
                } finally {
                    db.setAutoCommit(true);
                }
            }
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("delete of '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    static StoreException sqlFailure(SQLException e) {
        return new StoreException("store index error: " + e.getMessage()
                + " (run 'imgcast verify'; the index may be damaged)", e);
    }

    @Override
    public void close() {
        packs.close();
        try {
            db.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
    }

    static void deleteIfExists(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (NoSuchFileException ignored) {
            // already gone
        } catch (IOException e) {
            throw new StoreException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }
}
