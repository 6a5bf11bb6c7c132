package io.imgcast.cast;

/**
 * One decision of the {@link Scheduler}: send the block's directory, then these symbols.
 * {@code burst} is the block's burst counter, carried in every packet of the burst.
 */
public record Burst(int stream, Block block, int burst, int[] esis, boolean repair) {}
