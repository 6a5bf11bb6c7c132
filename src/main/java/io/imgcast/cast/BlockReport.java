package io.imgcast.cast;

/**
 * A receiver's word about one incomplete block it needs: the burst it saw last, how many symbols
 * it still lacks, and whether it lacks the block's directory (lost both copies; then it cannot
 * use what it holds). Made by the {@link BlockAssembler}, carried by {@link FeedbackFormat},
 * read by the {@link Scheduler}.
 */
public record BlockReport(long block, int burst, int missing, boolean noDirectory) {
    public BlockReport(long block, int burst, int missing) {
        this(block, burst, missing, false);
    }
}
