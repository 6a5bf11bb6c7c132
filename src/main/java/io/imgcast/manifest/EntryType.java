package io.imgcast.manifest;

/** The kind of a file-tree entry; the code is its byte in the manifest format. */
public enum EntryType {
    DIRECTORY(1), FILE(2), SYMLINK(3), HARDLINK(4), CHAR_DEVICE(5), BLOCK_DEVICE(6), FIFO(7), SOCKET(8);

    public final int code;

    EntryType(int code) {
        this.code = code;
    }

    public static EntryType of(int code) {
        for (EntryType t : values()) if (t.code == code) return t;
        throw new IllegalArgumentException("unknown entry type " + code);
    }

    /** The S_IFMT bits for entries created with mknod. */
    public int formatBits() {
        return switch (this) {
            case CHAR_DEVICE -> 0020000;
            case BLOCK_DEVICE -> 0060000;
            case FIFO -> 0010000;
            case SOCKET -> 0140000;
            default -> throw new IllegalStateException(this + " is not made with mknod");
        };
    }
}
