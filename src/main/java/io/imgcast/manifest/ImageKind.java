package io.imgcast.manifest;

public enum ImageKind {
    TREE, VOLUME;

    public String label() {
        return this == TREE ? "file-tree" : "volume";
    }
}
