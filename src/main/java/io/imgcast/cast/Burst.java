package io.imgcast.cast;

/**
 * One decision of the {@link Scheduler}: send these symbols of a block, with its directory before
 * and after them when {@code directory} (always in a block's first burst; in a repair burst only
 * when some machine lacks it). {@code burst} is the block's burst counter, carried in every packet
 * of the burst.
 */
public record Burst(int stream, Block block, int burst, int[] esis, boolean repair, boolean directory) {}
