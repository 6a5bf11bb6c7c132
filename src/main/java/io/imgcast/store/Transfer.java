package io.imgcast.store;

import io.imgcast.chunk.ChunkId;
import io.imgcast.codec.ChunkCodec;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.util.Progress;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Map;

/**
 * Export and import of one image as a self-contained file. Format, version 2:
 *
 * <pre>
 *   magic        "IMGCASTX" then u8 version = 2
 *   name, kind, description, flags, user info   (UTF strings; "" for none)
 *   created      i64 (ms since epoch)
 *   manifest     i32 length + bytes (the stored manifest blob)
 *   signature    i32 length + bytes (Ed25519, by the exporting store's key)
 *   public key   i32 length + bytes (X.509 encoding of that key)
 *   dictionary   i32 length + bytes: the exporting store's zstd dictionary, which chunks of
 *                codecs 3 and 4 need (length 0 when none does)
 *   chunk count  i64, then that many pack records ({@link PackFormat}: 52-byte header + payload)
 *   trailer      "IMGCASTE" + SHA-256 of every byte before the trailer
 * </pre>
 *
 * Version 1 is the same without the dictionary, and still imports. Import checks the signature
 * against the embedded key, the trailer, every record's CRC and every chunk's SHA-256 before the
 * image becomes visible; the image is then re-signed by the importing store's key. Chunks the store
 * already has are skipped. A store without a dictionary adopts the file's; a store with another
 * one re-encodes the chunks that need the file's with its own.
 */
public final class Transfer {
    private static final byte[] MAGIC = "IMGCASTX".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] END = "IMGCASTE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int VERSION = 2;

    private Transfer() {}

    /**
     * For chunks that need the export file's dictionary: null when they can be kept as they are
     * (the store has the same dictionary, or adopts it having none; or the file has none), else a
     * codec that encodes them again with the store's own.
     */
    private static ChunkCodec recoder(Ingest ingest, ChunkCodec.Dictionary fileDict) {
        if (fileDict == null) return null;
        ChunkCodec.Dictionary storeDict = ingest.dictionary();
        if (storeDict == null) {
            ingest.setDictionary(fileDict);
            return null;
        }
        return Arrays.equals(storeDict.bytes(), fileDict.bytes()) ? null : new ChunkCodec(ChunkCodec.STORE_LEVEL, storeDict);
    }

    /** Exports image {@code name} to {@code file}, written as FILE.partial and renamed when complete; its size. */
    public static long export(Store store, String name, Path file, Progress progress) {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try {
            try (OutputStream fos = Files.newOutputStream(tmp)) {
                write(store, name, fos, progress);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Files.size(file);
        } catch (IOException e) {
            Store.deleteIfExists(tmp);
            throw new StoreException("export of '" + name + "' to " + file + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Store.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Exports image {@code name} to a stream (e.g. standard output), which stays open; the bytes written. */
    public static long export(Store store, String name, OutputStream stream, Progress progress) {
        long[] count = {0};
        OutputStream counted = new FilterOutputStream(stream) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                count[0] += len;
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                count[0]++;
            }

            @Override
            public void close() throws IOException {
                out.flush(); // the caller's stream stays open
            }
        };
        try {
            write(store, name, counted, progress);
            counted.close();
            return count[0];
        } catch (IOException e) {
            throw new StoreException("export of '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    private static void write(Store store, String name, OutputStream fos, Progress progress) throws IOException {
        try (var lock = store.lockReader()) {
            ImageInfo info = store.image(name);
            Manifest m = store.manifest(info);
            StoredManifest sm = store.storedManifest(info);
            Map<ChunkId, ChunkLocation> locs = store.locations(m.distinctChunks().keySet());
            ChunkCodec.Dictionary dict = store.dictionaryFor(name, locs.values());
            progress.total(locs.values().stream().mapToLong(ChunkLocation::storedLength).sum());
            MessageDigest sha = ChunkId.newDigest();
            try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(new BufferedOutputStream(fos, 1 << 20), sha));
                 ChunkReader reader = store.reader()) {
                out.write(MAGIC);
                out.writeByte(VERSION);
                out.writeUTF(info.name());
                out.writeUTF(info.kind().name());
                out.writeUTF(nz(info.description()));
                out.writeUTF(nz(info.flags()));
                out.writeUTF(nz(info.userInfo()));
                out.writeLong(info.created());
                block(out, sm.blob());
                block(out, sm.signature());
                block(out, store.publicKey().getEncoded());
                block(out, dict == null ? new byte[0] : dict.bytes());
                var ids = m.distinctChunks().keySet();
                out.writeLong(ids.size());
                for (ChunkId id : ids) {
                    ChunkLocation l = locs.get(id);
                    if (l == null) throw new CorruptDataException("chunk " + id.shortHex() + " is missing from the store; run 'imgcast verify'");
                    byte[] rec = reader.readRecord(id, l);
                    out.write(rec, 0, PackFormat.RECORD_HEADER + l.storedLength());
                    progress.add(l.storedLength());
                }
                out.flush();
                byte[] digest = sha.digest();
                fos.write(END);
                fos.write(digest);
            }
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static void block(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] block(DataInputStream in, int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) throw new CorruptDataException("export file has an impossible block length " + n);
        return in.readNBytes(n);
    }

    /** Imports the image in {@code file}, under {@code rename} if given; returns the new image. */
    public static ImageInfo importFile(Store store, Path file, String rename, Progress progress) {
        try (InputStream fis = Files.newInputStream(file)) {
            long fileSize = Files.size(file);
            if (fileSize < MAGIC.length + END.length + 32) throw new CorruptDataException("file is too short to be an imgcast export");
            progress.total(fileSize);
            return importFrom(store, fis, fileSize - END.length - 32, file.toString(), rename, progress);
        } catch (IOException e) {
            throw new StoreException("import of " + file + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Imports the export read from {@code in} (e.g. standard input), whose length is not known:
     * the records' counts delimit the body, and the trailer must follow and end the stream.
     * {@code label} names the source in messages.
     */
    public static ImageInfo importStream(Store store, InputStream in, String label, String rename, Progress progress) {
        return importFrom(store, in, -1, label, rename, progress);
    }

    /** {@code body}: bytes before the trailer, or -1 when unknown. */
    private static ImageInfo importFrom(Store store, InputStream fis, long body, String file, String rename, Progress progress) {
        try {
            MessageDigest sha = ChunkId.newDigest();
            CountingStream counting = new CountingStream(new BufferedInputStream(fis, 1 << 20), body, progress);
            DataInputStream in = new DataInputStream(new DigestInputStream(counting, sha));
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) throw new CorruptDataException("not an imgcast export file");
            int version = in.readUnsignedByte();
            if (version != 1 && version != VERSION) throw new CorruptDataException("export format version " + version + " is not supported");
            String name = in.readUTF();
            ImageKind kind;
            try {
                kind = ImageKind.valueOf(in.readUTF());
            } catch (IllegalArgumentException e) {
                throw new CorruptDataException("export file names an unknown image kind");
            }
            String description = in.readUTF();
            String flags = in.readUTF();
            String userInfo = in.readUTF();
            long created = in.readLong();
            byte[] blob = block(in, 1 << 30);
            byte[] signature = block(in, 1024);
            byte[] pub = block(in, 1024);
            byte[] dictBytes = version >= 2 ? block(in, 4 << 20) : new byte[0];
            ChunkCodec.Dictionary fileDict = dictBytes.length == 0 ? null : new ChunkCodec.Dictionary(dictBytes);
            PublicKey key;
            try {
                key = ImageSignature.publicKey(pub);
            } catch (GeneralSecurityException e) {
                throw new CorruptDataException("export file carries an unreadable public key");
            }
            byte[] manifestSha = ChunkId.newDigest().digest(blob);
            if (!ImageSignature.verify(key, name, kind, manifestSha, signature)) {
                throw new CorruptDataException("the manifest signature in " + file + " is invalid: the file was altered");
            }
            Manifest m = ManifestFormat.decode(blob);
            Map<ChunkId, Integer> needed = m.distinctChunks();
            String finalName = ImageName.check(rename != null ? rename : name);
            if (store.find(finalName).isPresent()) {
                throw new StoreException("an image named '" + finalName + "' already exists; import with --name NEW or delete it first");
            }
            long count = in.readLong();
            if (count != needed.size()) throw new CorruptDataException("export file holds " + count + " chunks, the manifest names " + needed.size());
            try (Ingest ingest = store.beginIngest(); ChunkCodec codec = new ChunkCodec(ChunkCodec.DEFAULT_LEVEL, fileDict);
                 ChunkCodec recoder = recoder(ingest, fileDict)) {
                byte[] encoded = new byte[0];
                int[] encodedLen = new int[1];
                byte[] header = new byte[PackFormat.RECORD_HEADER];
                byte[] raw = new byte[300 * 1024];
                for (long i = 0; i < count; i++) {
                    in.readFully(header);
                    ByteBuffer h = ByteBuffer.wrap(header);
                    ChunkId id = ChunkId.of(header, 4);
                    byte enc = header[36];
                    int rlen = h.getInt(40);
                    int slen = h.getInt(44);
                    Integer want = needed.get(id);
                    if (want == null || want != rlen || slen < 0 || slen > (1 << 24)) {
                        throw new CorruptDataException("export file holds a chunk the manifest does not name, or a bad length");
                    }
                    byte[] rec = new byte[PackFormat.RECORD_HEADER + slen];
                    System.arraycopy(header, 0, rec, 0, header.length);
                    in.readFully(rec, PackFormat.RECORD_HEADER, slen);
                    PackFormat.check(rec, id, new ChunkLocation(0, 0, slen, rlen, enc));
                    if (raw.length < rlen) raw = new byte[rlen];
                    codec.decode(enc, rec, PackFormat.RECORD_HEADER, slen, raw, 0, rlen);
                    if (!id.matches(raw, 0, rlen)) throw new CorruptDataException("chunk " + id.shortHex() + " in the export does not match its hash");
                    if (ingest.claim(id)) {
                        if (recoder != null && ChunkCodec.needsDictionary(enc)) {
                            if (encoded.length < ChunkCodec.maxCompressedLength(rlen)) encoded = new byte[ChunkCodec.maxCompressedLength(rlen)];
                            byte e2 = recoder.encode(raw, 0, rlen, encoded, encodedLen, enc == ChunkCodec.ZSTD_DICT_X86);
                            ingest.append(id, e2, rlen, encoded, encodedLen[0]);
                        } else {
                            byte[] payload = Arrays.copyOfRange(rec, PackFormat.RECORD_HEADER, rec.length);
                            ingest.append(id, enc, rlen, payload, slen);
                        }
                    }
                }
                byte[] digest = sha.digest();
                byte[] end = counting.rawTail(END.length + 32);
                if (!Arrays.equals(Arrays.copyOf(end, END.length), END)
                        || !MessageDigest.isEqual(Arrays.copyOfRange(end, END.length, end.length), digest)) {
                    throw new CorruptDataException("export file trailer does not match its content (truncated or altered)");
                }
                for (ChunkId id : needed.keySet()) {
                    if (!ingest.has(id)) throw new CorruptDataException("export file lacks chunk " + id.shortHex());
                }
                return ingest.commit(new Ingest.ImageMeta(finalName, description, flags, userInfo, created), m);
            }
        } catch (EOFException e) {
            throw new CorruptDataException("export file " + file + " is truncated");
        } catch (UTFDataFormatException e) {
            throw new CorruptDataException("export file " + file + " is malformed (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new StoreException("import of " + file + " failed: " + e.getMessage(), e);
        }
    }

    /** Counts body bytes for progress and refuses to read into the trailer. */
    private static final class CountingStream extends InputStream {
        private final InputStream in;
        private final Progress progress;
        private long left;

        private final boolean bounded;

        /** {@code body}: bytes before the trailer, or -1 when unknown (then reads are not bounded). */
        CountingStream(InputStream in, long body, Progress progress) {
            this.in = in;
            this.bounded = body >= 0;
            this.left = bounded ? body : Long.MAX_VALUE;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) {
                left--;
                progress.add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
                progress.add(n);
            }
            return n;
        }

        byte[] rawTail(int n) throws IOException {
            if (bounded && left != 0) throw new CorruptDataException("export file has extra bytes before its trailer");
            byte[] t = in.readNBytes(n);
            if (t.length != n || in.read() != -1) throw new CorruptDataException("export file trailer is malformed");
            return t;
        }
    }
}
