package io.imgcast.cast;

import java.util.List;

/**
 * Wire overhead of the scheduler in simulation (not a unit test): one image of random chunks to N
 * receivers with independent loss, all packets counted with their headers (imgcast
 * {@link Wire#HEADER} = 16, UDP/IP 28, Ethernet 14 bytes), against the chunks' stored bytes.
 * Run after {@code mvn test-compile}:
 * <pre>
 *   java -cp target/classes:target/test-classes:$(cat cp.txt) io.imgcast.cast.WireStudy [receivers] [loss] [chunks] [seeds]
 * </pre>
 */
public final class WireStudy {
    private WireStudy() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        double loss = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
        int chunks = args.length > 2 ? Integer.parseInt(args[2]) : 1500;
        int seeds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        for (int seed = 1; seed <= seeds; seed++) {
            CastSimulation sim = new CastSimulation(Long.getLong("rate", 900_000_000L));
            List<ChunkMeta> all = sim.chunks(chunks, 6_000, 50_000, seed);
            for (int i = 0; i < n; i++) sim.receiver(loss, seed * 1000L + i, all, 0, 0);
            boolean ok = sim.run(600_000_000_000L);
            long data = all.stream().mapToLong(ChunkMeta::storedLength).sum();
            System.out.printf("receivers %d loss %.1f%% seed %d: %s, wire %.4fx (symbols %.4fx, packets %d, repair %d of %d symbols), %.2f s%n",
                    n, loss * 100, seed, ok ? "all done" : "NOT DONE", (double) sim.wireBytes / data,
                    (double) sim.symbolBytes() / data, sim.packets, sim.repairSymbols, sim.sourceSymbols + sim.repairSymbols, sim.now / 1e9);
        }
    }
}
