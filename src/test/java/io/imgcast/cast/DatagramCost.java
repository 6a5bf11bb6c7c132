package io.imgcast.cast;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * The per-datagram cost of authenticating and encrypting the data, for {@code
 * bench/trust-cost.sh} (run under the JVM options whose cost is wanted; not a test): for one
 * full symbol datagram of a 1500-byte MTU, the SipHash-2-4 tag alone, the receiver's whole check
 * ({@link Wire#check}: CRC32C, session, tag, fields), the sender's seal, and AES-128-GCM
 * encryption and decryption of the symbol ({@link DataCipher}). Each is warmed up, then timed
 * in {@code ROUNDS} rounds of {@code N} datagrams; prints per line the name, the median and the
 * best round in microseconds per datagram.
 *
 * <pre>
 *   DatagramCost [SECONDS_PER_MEASURE]
 * </pre>
 */
public final class DatagramCost {
    private static final int ROUNDS = 7;
    /** Keeps the results alive, so that no work is optimised away. */
    private static long sink;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int t = Wire.symbolSize(1500);
        int session = 42;
        Wire.Key key = Wire.Key.random();
        ByteBuffer b = ByteBuffer.allocate(Wire.MAX_PACKET);
        new Random(1).nextBytes(b.array());
        Wire.seal(b, key, Wire.TYPE_SYMBOL, session, 0, 100, 3, 7, t);
        if (Wire.check(b, key, session, t) != null) throw new IllegalStateException("the sealed datagram does not check");
        int len = Wire.HEADER + t;
        DataCipher cipher = new DataCipher(DataCipher.newKey(), session);
        byte[] symbol = new byte[t + DataCipher.TAG];
        new Random(2).nextBytes(symbol);
        byte[] sealed = symbol.clone();
        cipher.seal(sealed, 0, t, 100, 3, 7);
        ByteBuffer sealedBuf = ByteBuffer.allocate(sealed.length);
        System.out.println("# datagram: " + (len + Wire.TAG) + " bytes, symbol " + t + " bytes; JVM options: "
                + String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        measure("siphash_tag", seconds, () -> sink += SipHash.hash(key.k0(), key.k1(), b, 0, len));
        measure("wire_check", seconds, () -> sink += Wire.check(b, key, session, t) == null ? 1 : 0);
        ByteBuffer s = ByteBuffer.allocate(Wire.MAX_PACKET);
        measure("wire_seal", seconds, () -> {
            s.clear();
            Wire.seal(s, key, Wire.TYPE_SYMBOL, session, 0, 100, 3, 7, t);
            sink += s.limit();
        });
        byte[] work = new byte[t + DataCipher.TAG];
        int[] esi = {0};
        measure("aes_gcm_seal", seconds, () -> {
            System.arraycopy(symbol, 0, work, 0, t);
            cipher.seal(work, 0, t, 100, esi[0]++ & 0x7f, 7);
            sink += work[0];
        });
        measure("aes_gcm_open", seconds, () -> {
            sealedBuf.clear();
            sealedBuf.put(sealed).flip();
            if (!cipher.open(sealedBuf, 0, t, 100, 3, 7)) throw new IllegalStateException("the sealed symbol does not open");
            sink += sealedBuf.get(0);
        });
        System.out.println("# sink " + (sink & 1));
    }

    private static void measure(String name, double seconds, Runnable op) {
        // warm up for as long as one measure takes: the compilers settle (C1 alone, or C1 then C2)
        long until = System.nanoTime() + (long) (seconds * 1e9);
        int n = 0;
        while (System.nanoTime() < until) {
            op.run();
            n++;
        }
        int perRound = Math.max(1000, n / ROUNDS);
        double[] us = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRound; i++) op.run();
            us[r] = (System.nanoTime() - t0) / 1e3 / perRound;
        }
        Arrays.sort(us);
        System.out.printf("%s\t%.2f\t%.2f%n", name, us[ROUNDS / 2], us[0]);
    }
}
