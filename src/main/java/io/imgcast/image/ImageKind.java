package io.imgcast.image;

public enum ImageKind {
    TREE, VOLUME;

    public String label() {
        return this == TREE ? "file-tree" : "volume";
    }
}
