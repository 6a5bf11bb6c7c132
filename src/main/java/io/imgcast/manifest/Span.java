package io.imgcast.manifest;

/**
 * A byte range {@code [offset, offset+length)}: in a volume image, a range whose bytes the file
 * system does not use ("unused"); in a file entry, a hole of a sparse file.
 */
public record Span(long offset, long length) {
    public Span {
        if (offset < 0 || length <= 0) throw new IllegalArgumentException("span " + offset + "+" + length + " is empty or negative");
    }

    public long end() { return offset + length; }
}
