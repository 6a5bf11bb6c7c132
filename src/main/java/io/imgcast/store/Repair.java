package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Rebuilds a store's index from what lies beside it: every chunk record found in the packs
 * (self-describing, {@link PackFormat}), every image record ({@link ImageRecord}) whose
 * signature checks against the store's public key ({@code store.pub}, itself checked against
 * {@code store.key} when that is present), and the dictionary file. Every record is checked
 * whole (CRC, decoding, SHA-256 against its id), as verify does. An image whose record is
 * damaged or whose signature does not check is reported and left out, never added. A damaged
 * chunk record whose header still names its chunk is listed and marked bad, so verify names
 * it and the next capture of that data stores a good copy. The old index, if any, is kept as
 * {@code index.db.old}.
 */
public final class Repair {
    /** One recovered image. */
    public record Found(String name, ImageKind kind, long files, long bytes, long chunks, long missingChunks) {}

    /** What repair found and did. {@code ok} when nothing was damaged, rejected or missing. */
    public record Report(List<Found> images, List<String> rejected, long packs, long packBytes, long chunks,
                         long damagedRecords, long damagedBytes, long orphanChunks, long orphanBytes,
                         List<String> problems, List<String> notes) {
        public boolean ok() {
            return rejected.isEmpty() && problems.isEmpty() && damagedRecords == 0 && damagedBytes == 0
                    && images.stream().allMatch(f -> f.missingChunks() == 0);
        }
    }

    private static final int MAX_RECORD = 1 << 24;

    private Repair() {}

    public static Report run(Path storeDir) {
        Path dir = storeDir.toAbsolutePath().normalize();
        if (!Files.exists(dir.resolve(Store.MARKER))) throw new StoreException("no imgcast store at " + dir);
        try {
            Files.createDirectories(dir.resolve("locks"));
        } catch (IOException e) {
            throw new StoreException("cannot use the store's locks in " + dir + ": " + e.getMessage(), e);
        }
        try (var writer = StoreLock.acquire(dir.resolve("locks/write.lock"), false, Store.LOCK_WAIT,
                "another capture, import, delete or gc is running on store " + dir + "; wait for it to finish (repair)");
             var readers = StoreLock.acquire(dir.resolve("locks/gc.lock"), false, Store.LOCK_WAIT,
                     "the store " + dir + " is being read (apply, verify, export or serve); repair when they have finished")) {
            return new Repair.Run(dir).run();
        } catch (IOException e) {
            throw new StoreException("repair of " + dir + " failed: " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new StoreException("repair of " + dir + " could not write a new index: " + e.getMessage(), e);
        }
    }

    /** A chunk record found in a pack. */
    private record Rec(ChunkId id, ChunkLocation location, boolean good) {}

    private static final class Run {
        final Path dir;
        final SideFiles files;
        final List<String> problems = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final List<String> rejected = new ArrayList<>();
        final Map<ChunkId, Rec> chunks = new HashMap<>();
        final Map<Long, Long> packSizes = new TreeMap<>();
        long packBytes;
        long damagedRecords;
        long damagedBytes;
        ChunkCodec codec;
        byte[] raw = new byte[MAX_RECORD];
        boolean haveDictionary;

        Run(Path dir) {
            this.dir = dir;
            this.files = new SideFiles(dir);
        }

        Report run() throws IOException, SQLException {
            byte[] pubBytes = SideFiles.readIfExists(files.publicKeyFile());
            if (pubBytes == null) {
                throw new StoreException(dir + ": store.pub (the store's public key) is missing, so no image signature can be "
                        + "checked; nothing was changed");
            }
            PublicKey pub;
            try {
                pub = ImageSignature.publicKey(pubBytes);
            } catch (GeneralSecurityException e) {
                throw new StoreException(dir + ": store.pub is unreadable (" + e.getMessage() + "); nothing was changed");
            }
            checkKeyPair(pub);
            byte[] dict = SideFiles.readIfExists(files.dictionaryFile());
            try (ChunkCodec c = codec(dict)) {
                codec = c;
                scanPacks();
            }
            long needDict = chunks.values().stream().filter(r -> ChunkCodec.needsDictionary(r.location().codec())).count();
            if (dict == null && needDict > 0) {
                problems.add("dictionary.zdict is missing: " + needDict + " chunks compressed with it cannot be decoded");
            }
            List<Index.ImageRow> rows = new ArrayList<>();
            List<Found> found = new ArrayList<>();
            Set<ChunkId> referenced = new HashSet<>();
            readImages(pub, rows, found, referenced);
            long orphans = 0;
            long orphanBytes = 0;
            for (Rec r : chunks.values()) {
                if (!referenced.contains(r.id())) {
                    orphans++;
                    orphanBytes += PackFormat.RECORD_HEADER + r.location().storedLength();
                }
            }
            Map<ChunkId, ChunkLocation> locations = new HashMap<>();
            Map<ChunkId, String> bad = new HashMap<>();
            for (Rec r : chunks.values()) {
                locations.put(r.id(), r.location());
                if (!r.good()) bad.put(r.id(), "record damaged (found by repair)");
            }
            long lastPack = packSizes.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
            writeIndex(pubBytes, dict, lastPack, locations, rows, bad);
            return new Report(found, rejected, packSizes.size(), packBytes, chunks.size(), damagedRecords, damagedBytes,
                    orphans, orphanBytes, problems, notes);
        }

        /** A codec with the dictionary file's dictionary; a damaged one is reported and left out. */
        private ChunkCodec codec(byte[] dict) {
            if (dict == null) return new ChunkCodec(ChunkCodec.DEFAULT_LEVEL);
            try {
                ChunkCodec c = new ChunkCodec(ChunkCodec.DEFAULT_LEVEL, new ChunkCodec.Dictionary(dict));
                haveDictionary = true;
                return c;
            } catch (RuntimeException e) {
                problems.add("dictionary.zdict is damaged (" + e.getMessage() + ")");
                return new ChunkCodec(ChunkCodec.DEFAULT_LEVEL);
            }
        }

        /** store.pub must be store.key's public half; a missing store.key is reported, not fatal. */
        private void checkKeyPair(PublicKey pub) throws IOException {
            byte[] priv = SideFiles.readIfExists(dir.resolve("store.key"));
            if (priv == null) {
                notes.add("store.key is missing: images were checked against store.pub alone, and this store cannot sign"
                        + " new images (capture and import into it will fail)");
                return;
            }
            byte[] probe = new byte[32];
            try {
                byte[] sig = ImageSignature.sign(ImageSignature.privateKey(priv), "repair-probe", ImageKind.TREE, probe);
                if (!ImageSignature.verify(pub, "repair-probe", ImageKind.TREE, probe, sig)) {
                    throw new StoreException(dir + ": store.pub does not belong to store.key; cannot tell which to trust, nothing was changed");
                }
            } catch (GeneralSecurityException e) {
                throw new StoreException(dir + ": store.key is unreadable (" + e.getMessage() + "); nothing was changed");
            }
        }

        private void scanPacks() throws IOException {
            Path packDir = dir.resolve("packs");
            if (!Files.isDirectory(packDir)) {
                problems.add("packs/ is missing");
                return;
            }
            List<Path> packs;
            try (Stream<Path> s = Files.list(packDir)) {
                packs = s.filter(p -> p.getFileName().toString().matches("\\d{8}\\.pack")).sorted().toList();
            }
            for (Path p : packs) scanPack(Long.parseLong(p.getFileName().toString().substring(0, 8)), p);
        }

        private void scanPack(long packId, Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                String name = "packs/" + file.getFileName();
                if (size < PackFormat.FILE_HEADER) {
                    notes.add(name + " holds no complete header (an interrupted write): ignored, the next writer removes it");
                    return;
                }
                byte[] head = read(ch, 0, PackFormat.FILE_HEADER);
                if (!Arrays.equals(head, PackFormat.FILE_MAGIC)) problems.add(name + ": damaged file header");
                long pos = PackFormat.FILE_HEADER;
                long end = pos;
                while (pos < size) {
                    if (size - pos < PackFormat.RECORD_HEADER) {
                        notes.add(name + ": " + (size - pos) + " bytes of an incomplete record at the end (an interrupted write) dropped");
                        break;
                    }
                    byte[] h = read(ch, pos, PackFormat.RECORD_HEADER);
                    int slen = plausible(h);
                    if (slen < 0) {
                        long next = resync(ch, pos + 1, size);
                        if (next < 0) {
                            damagedBytes += size - pos;
                            problems.add(name + ": " + (size - pos) + " unreadable bytes from offset " + pos + " to the end");
                            break;
                        }
                        damagedBytes += next - pos;
                        problems.add(name + ": " + (next - pos) + " unreadable bytes at offset " + pos);
                        pos = next;
                        continue;
                    }
                    if (pos + PackFormat.RECORD_HEADER + slen > size) {
                        notes.add(name + ": incomplete record at the end (an interrupted write) dropped");
                        break;
                    }
                    byte[] rec = read(ch, pos, PackFormat.RECORD_HEADER + slen);
                    ByteBuffer b = ByteBuffer.wrap(rec);
                    ChunkId id = ChunkId.of(rec, 4);
                    ChunkLocation loc = new ChunkLocation(packId, pos, slen, b.getInt(40), rec[36]);
                    String damage = check(rec, id, loc);
                    boolean good = damage == null;
                    if (!good) {
                        damagedRecords++;
                        problems.add(name + ": chunk " + id.shortHex() + " at offset " + pos + " " + damage);
                    }
                    Rec prev = chunks.get(id);
                    if (prev == null || (good && !prev.good()) || (good == prev.good())) chunks.put(id, new Rec(id, loc, good));
                    pos += PackFormat.RECORD_HEADER + slen;
                    end = pos;
                }
                packSizes.put(packId, end);
                packBytes += end;
            }
        }

        /**
         * Checks a record whole: CRC of the payload, then (the CRC does not cover the header's
         * chunk id) decoding and the SHA-256 of the content against that id. Null when intact.
         * A chunk that needs the dictionary while it is missing is taken on its CRC alone.
         */
        private String check(byte[] rec, ChunkId id, ChunkLocation loc) {
            if (!crcMatches(rec, loc.storedLength())) return "fails its checksum";
            if (ChunkCodec.needsDictionary(loc.codec()) && !haveDictionary) return null;
            try {
                codec.decode(loc.codec(), rec, PackFormat.RECORD_HEADER, loc.storedLength(), raw, 0, loc.rawLength());
            } catch (CorruptDataException | IllegalArgumentException e) {
                return "does not decode (" + e.getMessage() + ")";
            }
            return id.matches(raw, 0, loc.rawLength()) ? null : "does not match its hash";
        }

        /** The stored length if {@code h} looks like a record header, else -1. */
        private static int plausible(byte[] h) {
            ByteBuffer b = ByteBuffer.wrap(h);
            if (b.getInt(0) != 0x4943484B) return -1;
            int codec = h[36];
            if (codec < ChunkCodec.RAW || codec > ChunkCodec.ZSTD_DICT_X86 || h[37] != 0 || h[38] != 0 || h[39] != 0) return -1;
            int rlen = b.getInt(40);
            int slen = b.getInt(44);
            if (rlen < 0 || rlen > MAX_RECORD || slen < 0 || slen > MAX_RECORD) return -1;
            return slen;
        }

        private static boolean crcMatches(byte[] rec, int slen) {
            CRC32C crc = new CRC32C();
            crc.update(rec, PackFormat.RECORD_HEADER, slen);
            return (int) crc.getValue() == ByteBuffer.wrap(rec).getInt(48);
        }

        /** The offset of the next intact record at or after {@code from}, or -1. */
        private static long resync(FileChannel ch, long from, long size) throws IOException {
            byte[] magic = "ICHK".getBytes(StandardCharsets.US_ASCII);
            int block = 1 << 20;
            for (long base = from; base < size; base += block - 3) {
                byte[] buf = read(ch, base, (int) Math.min(block, size - base));
                for (int i = 0; i + 4 <= buf.length; i++) {
                    if (buf[i] != magic[0] || buf[i + 1] != magic[1] || buf[i + 2] != magic[2] || buf[i + 3] != magic[3]) continue;
                    long at = base + i;
                    if (size - at < PackFormat.RECORD_HEADER) return -1;
                    int slen = plausible(read(ch, at, PackFormat.RECORD_HEADER));
                    if (slen < 0 || at + PackFormat.RECORD_HEADER + slen > size) continue;
                    if (crcMatches(read(ch, at, PackFormat.RECORD_HEADER + slen), slen)) return at;
                }
                if (base + block >= size) break;
            }
            return -1;
        }

        private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining()) {
                int n = ch.read(b, pos + b.position());
                if (n < 0) throw new IOException("unexpected end of file");
            }
            return b.array();
        }

        private void readImages(PublicKey pub, List<Index.ImageRow> rows, List<Found> found, Set<ChunkId> referenced) throws IOException {
            Set<String> names = new HashSet<>();
            List<ImageRecord> records = new ArrayList<>();
            for (Path f : files.imageFiles()) {
                String where = SideFiles.IMAGES + "/" + f.getFileName();
                ImageRecord r;
                try {
                    r = ImageRecord.decode(Files.readAllBytes(f));
                } catch (CorruptDataException e) {
                    rejected.add(where + ": " + e.getMessage());
                    continue;
                }
                String shown = ImageName.printable(r.name());
                if (!files.imageFile(r.name()).equals(f)) {
                    rejected.add(where + ": holds image '" + shown + "' under another image's file name");
                    continue;
                }
                StoredManifest m = r.manifest();
                if (!MessageDigest.isEqual(ChunkId.newDigest().digest(m.blob()), m.sha256())) {
                    rejected.add("image '" + shown + "': its manifest does not match its hash");
                    continue;
                }
                if (!ImageSignature.verify(pub, r.name(), r.kind(), m.sha256(), m.signature())) {
                    rejected.add("image '" + shown + "': its signature does not check against the store's key");
                    continue;
                }
                if (names.add(r.name())) records.add(r);
            }
            records.sort(Comparator.comparingLong(ImageRecord::created).thenComparing(ImageRecord::name));
            for (ImageRecord r : records) {
                String shown = ImageName.printable(r.name());
                Manifest m;
                try {
                    m = ManifestFormat.decode(r.manifest().blob());
                } catch (CorruptDataException e) {
                    rejected.add("image '" + shown + "': signed manifest does not decode: " + e.getMessage());
                    continue;
                }
                if (m.kind() != r.kind()) {
                    rejected.add("image '" + shown + "': manifest kind differs from the signed kind");
                    continue;
                }
                Map<ChunkId, Integer> distinct = m.distinctChunks();
                long stored = 0;
                long missing = 0;
                for (ChunkId id : distinct.keySet()) {
                    Rec c = chunks.get(id);
                    if (c == null) missing++;
                    else stored += c.location().storedLength();
                    referenced.add(id);
                }
                if (missing > 0) problems.add("image '" + shown + "': " + missing + " of its chunks are in no pack (verify names the files)");
                rows.add(new Index.ImageRow(r.name(), r.kind(), r.description(), r.flags(), r.created(), r.userInfo(),
                        m.fileCount(), m.dirCount(), m.totalBytes(), distinct.size(), r.manifest(), stored));
                found.add(new Found(r.name(), r.kind(), m.fileCount(), m.totalBytes(), distinct.size(), missing));
            }
        }

        private void writeIndex(byte[] pub, byte[] dict, long lastPack, Map<ChunkId, ChunkLocation> locations,
                                List<Index.ImageRow> rows, Map<ChunkId, String> bad) throws IOException, SQLException {
            Path fresh = dir.resolve("index.db.rebuild");
            for (String s : new String[] {"", "-wal", "-shm", "-journal"}) Files.deleteIfExists(dir.resolve("index.db.rebuild" + s));
            Index.rebuild(fresh, pub, dict, lastPack, packSizes, locations, rows, bad, System.currentTimeMillis());
            for (String s : new String[] {"-wal", "-shm", "-journal"}) {
                if (Files.exists(dir.resolve("index.db.rebuild" + s))) {
                    throw new IOException("the rebuilt index left " + "index.db.rebuild" + s + " behind");
                }
            }
            try (FileChannel ch = FileChannel.open(fresh, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            if (Files.exists(dir.resolve("index.db"))) {
                for (String s : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(dir.resolve("index.db.old" + s));
                for (String s : new String[] {"", "-wal", "-shm"}) {
                    Path p = dir.resolve("index.db" + s);
                    if (Files.exists(p)) Files.move(p, dir.resolve("index.db.old" + s), StandardCopyOption.ATOMIC_MOVE);
                }
                notes.add("the previous index was kept as index.db.old");
            } else {
                for (String s : new String[] {"-wal", "-shm"}) Files.deleteIfExists(dir.resolve("index.db" + s));
            }
            Files.move(fresh, dir.resolve("index.db"), StandardCopyOption.ATOMIC_MOVE);
            SideFiles.fsyncDir(dir);
            String marker = Files.readString(dir.resolve(Store.MARKER), StandardCharsets.UTF_8);
            if (!marker.equals("imgcast store " + Store.FORMAT + "\n")) {
                notes.add("store format was '" + marker.strip() + "'; it is now " + Store.FORMAT
                        + " (a format-1 store kept no image records, so none could be recovered from files)");
                SideFiles.writeDurably(dir.resolve(Store.MARKER), ("imgcast store " + Store.FORMAT + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
