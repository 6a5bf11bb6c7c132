package io.imgcast.cast;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.SecureRandom;

/**
 * The per-datagram cost of authenticating the wire, for choosing the tag ({@link SipHash}) and
 * for the figures in ARCHITECTURE.md: SipHash-2-4 as {@link Wire#check} runs it (a direct
 * buffer), HMAC-SHA256 (one reused {@link Mac}), AES-GCM sealing of a symbol (one reused
 * {@link Cipher}), and the Ed25519 sign and verify of a block directory (once per block of up to
 * 200 datagrams). Not a test. Run it as receivers run, C1 only, and as the server runs:
 *
 * <pre>
 *   java -XX:TieredStopAtLevel=1 -cp target/classes:target/test-classes io.imgcast.cast.MacStudy
 *   java -cp target/classes:target/test-classes io.imgcast.cast.MacStudy
 * </pre>
 *
 * Add {@code -XX:+UnlockDiagnosticVMOptions -XX:+PrintIntrinsics} to see which intrinsics the
 * JIT uses. Prints nanoseconds per datagram (the best of 5 rounds: the machine may be shared).
 */
public final class MacStudy {
    private static final int ROUNDS = 5;

    public static void main(String[] args) throws Exception {
        SecureRandom r = new SecureRandom();
        ByteBuffer d = ByteBuffer.allocateDirect(Wire.MAX_PACKET);
        byte[] heap = new byte[Wire.MAX_PACKET];
        r.nextBytes(heap);
        d.put(heap).clear();
        int len = Wire.HEADER + Wire.MAX_SYMBOL;
        long sink = 0;

        double best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            int n = 200_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) sink += SipHash.hash(sink, 7, d, 0, len);
            best = Math.min(best, (System.nanoTime() - t0) / (double) n);
        }
        System.out.printf("siphash-2-4   %8.0f ns/datagram%n", best);

        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(heap, 0, 32, "HmacSHA256"));
        byte[] out = new byte[32];
        best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            int n = 50_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                d.clear().limit(len);
                hmac.update(d);
                hmac.doFinal(out, 0);
                sink += out[0];
            }
            best = Math.min(best, (System.nanoTime() - t0) / (double) n);
        }
        System.out.printf("hmac-sha256   %8.0f ns/datagram%n", best);

        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec aes = new SecretKeySpec(heap, 0, 16, "AES");
        byte[] iv = new byte[12];
        byte[] ct = new byte[Wire.MAX_SYMBOL + 16];
        long counter = 0;
        best = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            int n = 50_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ByteBuffer.wrap(iv).putLong(4, ++counter); // a fresh nonce per datagram, as GCM needs
                gcm.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, iv));
                gcm.updateAAD(heap, 0, Wire.HEADER);
                gcm.doFinal(heap, Wire.HEADER, Wire.MAX_SYMBOL, ct, 0);
                sink += ct[0];
            }
            best = Math.min(best, (System.nanoTime() - t0) / (double) n);
        }
        System.out.printf("aes-128-gcm   %8.0f ns/datagram (seal)%n", best);

        KeyPair kp = io.imgcast.manifest.ImageSignature.newKeyPair();
        byte[] dir = new byte[2 + 64 * Wire.INFO_ENTRY];
        best = Double.MAX_VALUE;
        double bestVerify = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            int n = 300;
            byte[] sig = null;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) sig = DirectorySignature.sign(kp.getPrivate(), 1, i, 200, dir);
            best = Math.min(best, (System.nanoTime() - t0) / (double) n);
            ByteBuffer p = ByteBuffer.allocate(Wire.HEADER + dir.length + Wire.SIGNATURE);
            p.put(1, (byte) 0).put(2, (byte) 200).putInt(4, 1).putInt(8, n - 1);
            p.put(Wire.HEADER, dir).put(Wire.HEADER + dir.length, sig);
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) sink += DirectorySignature.verify(kp.getPublic(), p) ? 1 : 0;
            bestVerify = Math.min(bestVerify, (System.nanoTime() - t0) / (double) n);
        }
        System.out.printf("ed25519 sign  %8.0f ns/block directory%n", best);
        System.out.printf("ed25519 check %8.0f ns/block directory%n", bestVerify);
        System.out.println("(checksum " + sink + ")");
    }
}
