package io.imgcast.peer;

import io.imgcast.manifest.ImageSignature;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;

/**
 * A peer master's key: an Ed25519 key pair that signs its announcements, block directories and
 * manifests, so that receivers can pin it ({@code --master-key FINGERPRINT}). Kept in a file as
 * PKCS#8 (mode 0600, made by {@code imgcast keygen}); without a file, a master makes a fresh one
 * per session. The fingerprint is the SHA-256 of the public key's X.509 encoding, in hex.
 */
public final class MasterKey {
    private MasterKey() {}

    /** Makes a new key in {@code file} (which must not exist), readable by its owner only; returns it. */
    public static KeyPair generate(Path file) throws IOException {
        KeyPair kp = ImageSignature.newKeyPair();
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("the key file " + file + " exists already; a key is never overwritten", e);
        }
        Files.write(file, kp.getPrivate().getEncoded(), StandardOpenOption.TRUNCATE_EXISTING);
        return kp;
    }

    /** Reads a key file made by {@link #generate}; a clear error for anything else. */
    public static KeyPair load(Path file) throws IOException {
        byte[] pkcs8 = Files.readAllBytes(file);
        try {
            EdECPrivateKey priv = (EdECPrivateKey) ImageSignature.privateKey(pkcs8);
            byte[] seed = priv.getBytes().orElseThrow(() -> new GeneralSecurityException("the private key's bytes are not readable"));
            // Ed25519's public key follows from the 32 private bytes: a generator fed exactly them makes the same pair
            KeyPairGenerator g = KeyPairGenerator.getInstance(ImageSignature.ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                }
            });
            return new KeyPair(g.generateKeyPair().getPublic(), priv);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException("the key file " + file + " is not an Ed25519 private key (PKCS#8) as 'imgcast keygen' makes: "
                    + e.getMessage());
        }
    }

    /** The key's fingerprint: 64 hex digits. */
    public static String fingerprint(KeyPair kp) {
        return ImageSignature.fingerprint(kp.getPublic().getEncoded());
    }
}
