package io.imgcast.chunk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * SHA-256 of byte ranges, for chunk ids. In OpenSSL's libcrypto ({@code EVP_Digest} with a
 * fetched SHA-256, through the FFM API, Java arrays passed in place) when the library is present:
 * as fast as the JDK's own intrinsic, but its speed does not depend on the JIT having compiled the
 * caller with C2, so short-lived processes (receivers) can run with the cheaper C1 compiler alone.
 * Otherwise the JDK's {@link MessageDigest}, one per thread. Thread-safe.
 */
public final class Sha256 {
    private Sha256() {}

    /** {@code int EVP_Digest(const void *data, size_t n, uchar *md, uint *size, const EVP_MD *type, ENGINE *impl)}, or null. */
    private static final MethodHandle DIGEST;
    private static final MemorySegment MD;
    /** Why libcrypto is not used, or null when it is. */
    private static final String UNAVAILABLE;
    private static final ThreadLocal<MessageDigest> JDK = ThreadLocal.withInitial(ChunkId::newDigest);

    static {
        MethodHandle digest = null;
        MemorySegment md = MemorySegment.NULL;
        String why = null;
        if (Boolean.getBoolean("imgcast.noLibcrypto")) {
            why = "turned off (-Dimgcast.noLibcrypto=true)";
        } else {
            try (Arena a = Arena.ofConfined()) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                MethodHandle fetch = linker.downcallHandle(lib.find("EVP_MD_fetch").orElseThrow(),
                        FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
                md = (MemorySegment) fetch.invokeExact(MemorySegment.NULL, a.allocateFrom("SHA256"), MemorySegment.NULL);
                if (md.equals(MemorySegment.NULL)) throw new IllegalStateException("no SHA256 in libcrypto");
                digest = linker.downcallHandle(lib.find("EVP_Digest").orElseThrow(),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS),
                        Linker.Option.critical(true));
                byte[] out = new byte[32];
                int ok = (int) digest.invokeExact(MemorySegment.ofArray("abc".getBytes()), 3L, MemorySegment.ofArray(out),
                        MemorySegment.NULL, md, MemorySegment.NULL);
                if (ok != 1 || !HexFormat.of().formatHex(out).equals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) {
                    digest = null;
                    why = "libcrypto.so.3 gave a wrong SHA-256; not used";
                }
            } catch (Throwable e) {
                digest = null;
                why = "libcrypto.so.3 not found (the libssl3 package)";
            }
        }
        DIGEST = digest;
        MD = md;
        UNAVAILABLE = why;
    }

    /** Where hashing runs, for diagnostics. */
    public static String implementation() {
        return DIGEST != null ? "OpenSSL (libcrypto.so.3)" : "JDK (" + UNAVAILABLE + ")";
    }

    /** Writes the SHA-256 of {@code data[off, off + len)} to {@code out[outOff ..]} (32 bytes). */
    public static void digest(byte[] data, int off, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, data.length);
        Objects.checkFromIndexSize(outOff, 32, out.length);
        if (DIGEST != null) {
            int ok;
            try {
                ok = (int) DIGEST.invokeExact(MemorySegment.ofArray(data).asSlice(off, len), (long) len,
                        MemorySegment.ofArray(out).asSlice(outOff, 32), MemorySegment.NULL, MD, MemorySegment.NULL);
            } catch (Throwable t) {
                throw new IllegalStateException("EVP_Digest failed", t);
            }
            if (ok != 1) throw new IllegalStateException("EVP_Digest failed");
            return;
        }
        MessageDigest sha = JDK.get();
        sha.reset();
        sha.update(data, off, len);
        try {
            sha.digest(out, outOff, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-256 of {@code data[off, off + len)}. */
    public static byte[] digest(byte[] data, int off, int len) {
        byte[] out = new byte[32];
        digest(data, off, len, out, 0);
        return out;
    }
}
