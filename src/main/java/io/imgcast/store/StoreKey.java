package io.imgcast.store;

import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;

/**
 * The store's signing key: the private half in {@code store.key} (PKCS#8, readable by its owner
 * only), the public half in the index. Every image the store commits is signed with it
 * ({@link ImageSignature}); receivers and verify check against the public half.
 */
final class StoreKey {
    private final Path file;
    private final byte[] publicBytes;
    private PublicKey publicKey;

    StoreKey(Path file, byte[] publicBytes) {
        this.file = file;
        this.publicBytes = publicBytes;
    }

    /** Makes a new store's key: writes the private half to {@code file}, returns the public half (X.509). */
    static byte[] create(Path file) throws IOException {
        KeyPair kp = ImageSignature.newKeyPair();
        Files.write(file, kp.getPrivate().getEncoded());
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return kp.getPublic().getEncoded();
    }

    /** The public key, parsed on first use (Ed25519 set-up is costly at start-up). */
    synchronized PublicKey publicKey() {
        if (publicKey == null) {
            try {
                publicKey = ImageSignature.publicKey(publicBytes);
            } catch (GeneralSecurityException e) {
                throw new StoreException("store key of " + file.getParent() + " is unreadable: " + e.getMessage(), e);
            }
        }
        return publicKey;
    }

    /** Signs an image with the private key, read from its file each time (only writers need it). */
    byte[] sign(String name, ImageKind kind, byte[] manifestSha) {
        try {
            return ImageSignature.sign(ImageSignature.privateKey(Files.readAllBytes(file)), name, kind, manifestSha);
        } catch (IOException | GeneralSecurityException e) {
            throw new StoreException("cannot sign with the store key " + file + ": " + e.getMessage(), e);
        }
    }
}
