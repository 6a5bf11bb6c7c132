package io.imgcast.server;

import io.imgcast.cast.ServedImage;
import io.imgcast.chunk.ChunkId;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ManifestFormat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Priorities per list of files (seed 000, ¶53–54; {@code serve --priority-files FILE}): globs,
 * one per line, matched against the paths of a tree image's files ({@code etc/*.conf},
 * {@code boot/**}; a leading '/' is ignored, blank lines and lines starting with '#' are
 * skipped). The chunks of matching files go out first to every machine that needs them
 * ({@link io.imgcast.cast.Scheduler#FIRST}). Volumes have no files: nothing of them comes first.
 */
final class PriorityFiles {
    static final PriorityFiles NONE = new PriorityFiles(List.of());

    private final List<String> globs;
    private final List<PathMatcher> matchers = new ArrayList<>();
    private final Map<ServedImage, Set<ChunkId>> cache = new ConcurrentHashMap<>();

    PriorityFiles(List<String> globs) {
        this.globs = List.copyOf(globs);
        for (String g : globs) {
            try {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad glob '" + g + "' in the priority file list: " + e.getMessage());
            }
        }
    }

    /** Reads the globs of {@code file}; a clear error when it cannot. */
    static PriorityFiles read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the priority file list " + file + ": " + e.getMessage());
        }
        return parse(lines);
    }

    static PriorityFiles parse(List<String> lines) {
        List<String> globs = new ArrayList<>();
        for (String l : lines) {
            String g = l.strip();
            if (g.isEmpty() || g.startsWith("#")) continue;
            while (g.startsWith("/")) g = g.substring(1);
            if (g.isEmpty()) throw new IllegalArgumentException("the priority file list names the root '/': list files or globs");
            globs.add(g);
        }
        return new PriorityFiles(globs);
    }

    List<String> globs() { return globs; }

    boolean matches(String path) {
        if (path.isEmpty()) return false;
        Path p = Path.of(path);
        for (PathMatcher m : matchers) if (m.matches(p)) return true;
        return false;
    }

    /** The chunks of {@code image}'s matching files (empty for none, a volume, or a live image: {@code null}). */
    Set<ChunkId> first(ServedImage image) {
        if (matchers.isEmpty() || image == null || image.kind() != ImageKind.TREE) return Set.of();
        return cache.computeIfAbsent(image, i -> {
            Set<ChunkId> out = new HashSet<>();
            for (Entry e : ManifestFormat.decode(i.manifest()).entries()) {
                if (e.chunks() == null || e.chunks().size() == 0 || !matches(e.path())) continue;
                for (int c = 0; c < e.chunks().size(); c++) out.add(e.chunks().id(c));
            }
            return Set.copyOf(out);
        });
    }
}
