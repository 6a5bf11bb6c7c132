package io.imgcast.codec.fec;

import java.util.Arrays;
import java.util.Random;

/**
 * Single-threaded throughput benchmark for the Reed-Solomon code (not a unit test).
 * Run after {@code mvn test-compile} with:
 * <pre>
 *   java -cp target/classes:target/test-classes io.imgcast.codec.fec.FecBench [k] [m] [T]
 * </pre>
 * Throughput is reported as source-block bytes (k * T) processed per second:
 * for encode, producing all m repair symbols of a block; for decode, adding k
 * symbols (copying them) and reconstructing the lost source symbols.
 */
public final class FecBench {

    private FecBench() {
    }

    public static void main(String[] args) {
        int k = args.length > 0 ? Integer.parseInt(args[0]) : 47;
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int t = args.length > 2 ? Integer.parseInt(args[2]) : 1400;
        Random rnd = new Random(42);
        ReedSolomonCode code = new ReedSolomonCode(k, m);
        byte[][] source = new byte[k][t];
        for (byte[] s : source) {
            rnd.nextBytes(s);
        }
        byte[][] repair = new byte[m][t];
        System.out.printf("FecBench k=%d m=%d T=%d (%s %s)%n", k, m, t,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));

        double[] enc = new double[7];
        for (int round = -3; round < enc.length; round++) { // 3 warm-up rounds
            int blocks = 4000;
            long t0 = System.nanoTime();
            for (int b = 0; b < blocks; b++) {
                for (int r = 0; r < m; r++) {
                    code.encodeRepair(source, k + r, repair[r], 0, t);
                }
            }
            double mbps = mbPerSec(blocks, k, t, System.nanoTime() - t0);
            if (round >= 0) {
                enc[round] = mbps;
            }
        }
        report("encode (all " + m + " repair symbols)", enc);

        BlockDecoder dec = new BlockDecoder(code, t);
        for (int lost : new int[] {m, 1, 0}) {
            double[] d = new double[7];
            for (int round = -3; round < d.length; round++) {
                int blocks = 4000;
                long t0 = System.nanoTime();
                for (int b = 0; b < blocks; b++) {
                    dec.reset();
                    // Lose a different run of `lost` source symbols each block.
                    int first = b % (k - lost + 1);
                    for (int j = 0; j < k; j++) {
                        if (j < first || j >= first + lost) {
                            dec.add(j, source[j], 0);
                        }
                    }
                    for (int r = 0; r < lost; r++) {
                        dec.add(k + r, repair[r], 0);
                    }
                    byte[][] out = dec.decode();
                    if (b == 0 && !Arrays.equals(out[first], source[first])) {
                        throw new AssertionError("decode mismatch");
                    }
                }
                double mbps = mbPerSec(blocks, k, t, System.nanoTime() - t0);
                if (round >= 0) {
                    d[round] = mbps;
                }
            }
            report("decode, " + lost + " source symbols lost", d);
        }
    }

    private static double mbPerSec(int blocks, int k, int t, long nanos) {
        return (double) blocks * k * t / (nanos / 1e9) / 1e6;
    }

    private static void report(String what, double[] samples) {
        double[] s = samples.clone();
        Arrays.sort(s);
        System.out.printf("%-36s median %7.1f MB/s  (min %7.1f, max %7.1f)%n",
                what, s[s.length / 2], s[0], s[s.length - 1]);
    }
}
