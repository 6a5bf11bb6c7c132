package io.imgcast.manifest;

import io.imgcast.chunk.ChunkId;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/**
 * The signature of an image: Ed25519 over the image's name, its kind and the SHA-256 of its
 * encoded manifest. The manifest lists every chunk id, so the signature covers all of the
 * image's data. The signed bytes are (UTF-8, lines joined by {@code \n}, no newline at the end):
 *
 * <pre>
 *   imgcast-image-v1
 *   NAME
 *   KIND                  (TREE or VOLUME)
 *   SHA-256 of the manifest, 64 lower-case hex digits
 * </pre>
 *
 * A store signs with its own key ({@code store.key}), a peer master with a key made for its
 * session; receivers and import check against the public key that comes with the manifest
 * (X.509 encoding), and may pin it by its fingerprint.
 */
public final class ImageSignature {
    public static final String ALGORITHM = "Ed25519";

    private ImageSignature() {}

    /** The bytes a signature covers. */
    public static byte[] payload(String name, ImageKind kind, byte[] manifestSha) {
        return ("imgcast-image-v1\n" + name + "\n" + kind.name() + "\n" + HexFormat.of().formatHex(manifestSha))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh key pair (a new store's, a peer session's). */
    public static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no " + ALGORITHM + " in this JDK", e);
        }
    }

    /**
     * A public key's fingerprint: the SHA-256 of its X.509 encoding in lower-case hex. Receivers
     * pin a key ({@code --server-key}) by a leading part of it.
     */
    public static String fingerprint(byte[] x509) {
        return HexFormat.of().formatHex(ChunkId.newDigest().digest(x509));
    }

    /** A public key from its X.509 encoding (as it travels with a manifest and is kept in a store's index). */
    public static PublicKey publicKey(byte[] x509) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
    }

    /** A private key from its PKCS#8 encoding (a store's {@code store.key}). */
    public static PrivateKey privateKey(byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /** Signs an image's name, kind and manifest hash. */
    public static byte[] sign(PrivateKey key, String name, ImageKind kind, byte[] manifestSha) throws GeneralSecurityException {
        Signature s = Signature.getInstance(ALGORITHM);
        s.initSign(key);
        s.update(payload(name, kind, manifestSha));
        return s.sign();
    }

    /** True if {@code signature} is {@code key}'s over this name, kind and manifest hash; false for any other signature. */
    public static boolean verify(PublicKey key, String name, ImageKind kind, byte[] manifestSha, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(payload(name, kind, manifestSha));
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
