package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.util.Timing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One deduplicated store holding many images. Layout of the store directory:
 *
 * <pre>
 *   IMGCAST-STORE        marker and format version ("imgcast store 2")
 *   index.db             SQLite (WAL): chunk index, pack list, image catalog, manifests ({@link Index})
 *   packs/NNNNNNNN.pack  append-only chunk records ({@link PackFormat})
 *   images/HASH.image    each image's signed manifest and descriptive data ({@link ImageRecord}, {@link SideFiles})
 *   dictionary.zdict     the zstd dictionary, once trained
 *   store.key            the store's Ed25519 signing key (PKCS#8); its public half is in store.pub and index.db ({@link StoreKey})
 *   store.pub            the public half (X.509)
 *   locks/               write.lock (one mutator at a time), gc.lock (gc vs. readers)
 * </pre>
 *
 * Format 2 keeps everything index.db holds also in the packs and the files beside them, so
 * {@link Repair} can rebuild a lost or damaged index. A format-1 store (index.db only) is
 * upgraded when it is first opened: its records, public key and dictionary are written out,
 * then the marker says 2.
 *
 * Pack numbers only grow (meta key {@code last_pack}), so a number never names two different files.
 * Every image's manifest is signed with the store key over its name, kind and SHA-256
 * ({@link ImageSignature}). An image becomes visible in one SQLite
 * transaction, after its packs, then its record (and a new dictionary) are fsynced, so readers
 * only ever see complete images and a killed writer leaves nothing but removable leftovers.
 *
 * <p>This class opens the store and holds its locks; the work is done by the parts it joins: the
 * {@link Index} (all SQL), the {@link Catalog} (images and checked manifests), the
 * {@link References} (which chunks images reference), the {@link StoreDictionary}, the
 * {@link StoreKey} and the {@link PackSet}.
 */
public final class Store implements AutoCloseable {
    public static final String MARKER = "IMGCAST-STORE";
    static final int FORMAT = 2;
    private static final String VERSION_TEXT = "imgcast store " + FORMAT + "\n";
    private static final String VERSION_1_TEXT = "imgcast store 1\n";
    static final Duration LOCK_WAIT = Duration.ofSeconds(Long.getLong("imgcast.lockWaitSeconds", 30));

    private final Path dir;
    private final Index index;
    private final PackSet packs;
    private final StoreKey key;
    private final StoreDictionary dictionary;
    private final Catalog catalog;
    private final References references;
    private final SideFiles files;
    private volatile boolean paranoid;

    private Store(Path dir, Index index, byte[] publicKey) {
        this.dir = dir;
        this.files = new SideFiles(dir);
        this.index = index;
        this.packs = new PackSet(dir.resolve("packs"));
        this.key = new StoreKey(dir.resolve("store.key"), publicKey);
        this.dictionary = new StoreDictionary(index);
        this.catalog = new Catalog(dir, index, key);
        this.references = new References(catalog, index);
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
            boolean old = version.equals(VERSION_1_TEXT);
            if (!old && !version.equals(VERSION_TEXT)) throw new StoreException(dir + ": unsupported store format '" + version.strip() + "'");
            Timing.mark("so-marker");
            // never let SQLite create an empty index in place of a lost one: that would hide every image
            if (!Files.exists(dir.resolve("index.db"))) {
                throw new StoreException(dir + ": index.db is missing; run 'imgcast repair --store " + dir
                        + "' to rebuild it from the packs and image records");
            }
            Index index = Index.open(dir.resolve("index.db"));
            byte[] pub;
            try {
                pub = index.publicKey();
            } catch (RuntimeException e) {
                index.close();
                throw e;
            }
            if (pub == null) {
                index.close();
                throw new StoreException(dir + ": index.db has no public key; the store is damaged (run 'imgcast repair --store " + dir + "')");
            }
            Store store = new Store(dir, index, pub);
            if (old) {
                try {
                    store.upgradeFromFormat1();
                } catch (RuntimeException e) {
                    store.close();
                    throw e;
                }
            }
            return store;
        } catch (IOException e) {
            throw new StoreException("cannot open store " + dir + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new StoreException("store index " + dir.resolve("index.db") + " is unreadable: " + e.getMessage()
                    + " (run 'imgcast repair --store " + dir + "' to rebuild it)", e);
        }
    }

    /**
     * Format 1 to 2: writes each image's record, the public key and the dictionary beside the
     * packs, then the new marker (all durably), under the writer lock. Another process that
     * upgraded first leaves nothing to do.
     */
    private void upgradeFromFormat1() {
        if (!Files.isWritable(dir) || !Files.isWritable(dir.resolve(MARKER))) return; // read-only: stays format 1 until a writer opens it
        try (AutoCloseable lock = lockWriter("upgrade of the store format")) {
            if (Files.readString(dir.resolve(MARKER), StandardCharsets.UTF_8).equals(VERSION_TEXT)) return;
            SideFiles.writeDurably(files.publicKeyFile(), index.publicKey());
            byte[] dict = index.dictionary();
            if (dict != null) SideFiles.writeDurably(files.dictionaryFile(), dict);
            for (ImageInfo i : images()) files.writeImage(record(i, storedManifest(i)));
            SideFiles.writeDurably(dir.resolve(MARKER), VERSION_TEXT.getBytes(StandardCharsets.UTF_8));
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("cannot upgrade store " + dir + " to format " + FORMAT + ": " + e.getMessage(), e);
        }
    }

    static ImageRecord record(ImageInfo i, StoredManifest m) {
        return new ImageRecord(i.name(), i.kind(), i.description(), i.flags(), i.userInfo(), i.created(), m);
    }

    private static void initialize(Path dir) throws IOException, SQLException {
        Files.createDirectories(dir.resolve("packs"));
        Files.createDirectories(dir.resolve("locks"));
        Files.createDirectories(dir.resolve(SideFiles.IMAGES));
        byte[] publicKey = StoreKey.create(dir.resolve("store.key"));
        SideFiles.writeDurably(dir.resolve(SideFiles.PUBLIC_KEY), publicKey);
        Index.create(dir.resolve("index.db"), publicKey);
        Files.writeString(dir.resolve(MARKER), VERSION_TEXT, StandardCharsets.UTF_8);
    }

    public Path dir() { return dir; }

    PackSet packs() { return packs; }

    Index index() { return index; }

    SideFiles files() { return files; }

    /**
     * With {@code true}, every later ingest checks each chunk it would reuse (read, CRC, decode,
     * SHA-256) and stores a good copy of any that fails; without it only chunks known bad are
     * checked.
     */
    public void paranoid(boolean on) {
        paranoid = on;
    }

    boolean paranoid() { return paranoid; }

    /**
     * Remembers that chunk {@code id} failed its check when read (by verify, apply, serve or
     * export), so that the next capture meeting it stores a good copy. Best effort: a store the
     * reader may not write keeps no note.
     */
    public void chunkFailed(ChunkId id, String reason) {
        try {
            index.markBad(id, reason, System.currentTimeMillis());
        } catch (RuntimeException ignored) {
            // read-only store or a busy index: verify still reports the damage
        }
    }

    /** The chunks found damaged and not replaced since, with the reason. */
    public Map<ChunkId, String> badChunks() {
        return index.badChunks();
    }

    /** The store's public key, parsed on first use (Ed25519 set-up is costly at start-up). */
    public PublicKey publicKey() {
        return key.publicKey();
    }

    /** Signs an image committed to this store. */
    byte[] sign(String name, ImageKind kind, byte[] manifestSha) {
        return key.sign(name, kind, manifestSha);
    }

    // ---- zstd dictionary ----------------------------------------------------------------------

    /** The store's zstd dictionary (trained on its first image), or null. */
    public ChunkCodec.Dictionary dictionary() {
        return dictionary.current();
    }

    /**
     * The dictionary that the chunks at {@code locations} (of image {@code name}) need to be
     * decoded elsewhere (by receivers, from an export file), or null when none of them does.
     */
    public ChunkCodec.Dictionary dictionaryFor(String name, Collection<ChunkLocation> locations) {
        return dictionary.neededBy(name, locations);
    }

    void dictionaryCommitted(ChunkCodec.Dictionary d) {
        dictionary.committed(d);
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

    // ---- catalog ---------------------------------------------------------------------------

    public List<ImageInfo> images() {
        return catalog.images();
    }

    public Optional<ImageInfo> find(String name) {
        return catalog.find(name);
    }

    public ImageInfo image(String name) {
        return catalog.image(name);
    }

    /** The manifest blob with its recorded hash and signature, unchecked (see {@link #manifest}). */
    public StoredManifest storedManifest(ImageInfo image) {
        return catalog.storedManifest(image);
    }

    /** Loads and checks an image's manifest: hash, signature and structure. */
    public Manifest manifest(ImageInfo image) {
        return catalog.manifest(image);
    }

    /** Locations of every chunk an image references (read from its checked manifest). Missing chunks are absent. */
    public Map<ChunkId, ChunkLocation> locations(ImageInfo image) {
        return locations(manifest(image).distinctChunks().keySet());
    }

    /** Locations of the given chunks; those not in the index are absent from the map. */
    public Map<ChunkId, ChunkLocation> locations(Collection<ChunkId> ids) {
        return index.locations(ids);
    }

    public Optional<ChunkLocation> location(ChunkId id) {
        return index.location(id);
    }

    /** The distinct chunks an image references, from its checked manifest (cached). */
    public Set<ChunkId> chunkSet(ImageInfo image) {
        return references.chunkSet(image);
    }

    /**
     * Bytes of raw and stored data an image holds that no other image references; -1 for both
     * when the image's own manifest is damaged. Other images with a damaged manifest count as
     * referencing nothing.
     */
    public record Unique(long rawBytes, long storedBytes) {
        public boolean known() { return rawBytes >= 0; }
    }

    public Unique unique(ImageInfo image) {
        return references.unique(image);
    }

    /** Total bytes of pack files listed in the index. */
    public long packBytes() {
        return index.packBytes();
    }

    // ---- changes ---------------------------------------------------------------------------

    /** Starts adding chunks and images; holds the writer lock until closed. */
    public Ingest beginIngest() {
        return new Ingest(this);
    }

    /** Opens a reader for chunk records. */
    public ChunkReader reader() {
        return new ChunkReader(packs, dictionary(), this::chunkFailed);
    }

    /** Removes an image from the catalog; its chunks stay until {@link GarbageCollector} runs. */
    public void delete(String name) {
        try (AutoCloseable lock = lockWriter("delete " + name)) {
            ImageInfo i = image(name);
            files.removeImage(i.name()); // first: a crash in between must not bring the image back at repair
            index.deleteImage(i.id());
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("delete of '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        packs.close();
        index.close();
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
