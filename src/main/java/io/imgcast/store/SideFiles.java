package io.imgcast.store;

import io.imgcast.chunk.ChunkId;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a store keeps beside the packs so that losing index.db loses no image: one
 * {@link ImageRecord} per image ({@code images/HASH.image}, HASH the SHA-256 of the image's name
 * in hex), the store key's public half ({@code store.pub}, X.509) and the zstd dictionary
 * ({@code dictionary.zdict}). Each file is written under a temporary name ({@code .tmp}),
 * fsynced, renamed and its directory fsynced: a writer does this after fsyncing its packs and
 * before the index transaction that makes its image visible, so a crash leaves either nothing
 * or a complete file the index does not list, which the next writer removes
 * ({@link #removeLeftovers}) and {@code imgcast repair} may recover.
 */
final class SideFiles {
    static final String IMAGES = "images";
    static final String PUBLIC_KEY = "store.pub";
    static final String DICTIONARY = "dictionary.zdict";
    private static final String SUFFIX = ".image";

    private final Path dir;

    SideFiles(Path storeDir) {
        this.dir = storeDir;
    }

    Path imagesDir() { return dir.resolve(IMAGES); }

    Path imageFile(String name) {
        return imagesDir().resolve(HexFormat.of().formatHex(ChunkId.newDigest().digest(name.getBytes(StandardCharsets.UTF_8))) + SUFFIX);
    }

    Path publicKeyFile() { return dir.resolve(PUBLIC_KEY); }

    Path dictionaryFile() { return dir.resolve(DICTIONARY); }

    void writeImage(ImageRecord r) throws IOException {
        Files.createDirectories(imagesDir());
        writeDurably(imageFile(r.name()), r.encode());
    }

    /** Removes an image's record (delete); durable when it returns. */
    void removeImage(String name) throws IOException {
        if (Files.deleteIfExists(imageFile(name))) fsyncDir(imagesDir());
    }

    /** The image record files present (not the temporary ones). */
    List<Path> imageFiles() throws IOException {
        if (!Files.isDirectory(imagesDir())) return List.of();
        try (Stream<Path> s = Files.list(imagesDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
    }

    /**
     * Removes what an interrupted writer left: temporary files, records of images the index
     * does not list, and a dictionary file while the index holds none.
     */
    void removeLeftovers(Set<String> indexedNames, boolean indexHasDictionary) throws IOException {
        Set<Path> keep = new HashSet<>();
        for (String n : indexedNames) keep.add(imageFile(n));
        List<Path> gone = new ArrayList<>();
        if (Files.isDirectory(imagesDir())) {
            try (Stream<Path> s = Files.list(imagesDir())) {
                for (Path p : s.toList()) {
                    String f = p.getFileName().toString();
                    if (f.endsWith(".tmp") || (f.endsWith(SUFFIX) && !keep.contains(p))) gone.add(p);
                }
            }
        }
        for (Path p : gone) Files.deleteIfExists(p);
        if (!gone.isEmpty()) fsyncDir(imagesDir());
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(".tmp") && (f.startsWith(PUBLIC_KEY) || f.startsWith(DICTIONARY))) Files.deleteIfExists(p);
            }
        }
        if (!indexHasDictionary && Files.deleteIfExists(dictionaryFile())) fsyncDir(dir);
    }

    /** Writes {@code bytes} to {@code file} all or nothing: temporary file, fsync, rename, fsync of the directory. */
    static void writeDurably(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(file.getParent());
    }

    static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static void fsyncDir(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
