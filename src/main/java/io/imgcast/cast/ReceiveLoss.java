package io.imgcast.cast;

/**
 * Tells a receiver's network loss apart from its own receive overruns. Pure. The assembler sees
 * gaps among a block's source symbols ({@link BlockAssembler#lossEstimate}); some of them are
 * datagrams the kernel dropped because this machine's socket queue was full (overruns), which
 * the network delivered. Those are answered by pacing (the {@link RateController}), not by
 * repair or a slower stream, so they are taken out of the loss the machine reports.
 */
public final class ReceiveLoss {
    private ReceiveLoss() {}

    /**
     * The network's share of the gaps: {@code gapLoss} (0..1) less the share of datagrams the
     * kernel dropped, {@code kernelDrops} of {@code packets + kernelDrops} delivered to the
     * socket, both counted since the machine started listening. Never below 0.
     */
    public static double network(double gapLoss, long packets, long kernelDrops) {
        if (gapLoss < 0 || gapLoss > 1 || Double.isNaN(gapLoss)) throw new IllegalArgumentException("loss out of 0..1: " + gapLoss);
        if (packets < 0 || kernelDrops < 0) throw new IllegalArgumentException("negative counters: " + packets + ", " + kernelDrops);
        long offered = packets + kernelDrops;
        double overruns = offered == 0 ? 0 : (double) kernelDrops / offered;
        return Math.max(0, gapLoss - overruns);
    }

    /** The overruns' share of what reached the socket (0..1). */
    public static double overruns(long packets, long kernelDrops) {
        long offered = packets + kernelDrops;
        return offered <= 0 ? 0 : (double) kernelDrops / offered;
    }
}
