/**
 * Small shared pieces: POSIX calls through FFM ({@link io.imgcast.util.Posix}), progress bars, JSON output, units,
 * phase timers ({@link io.imgcast.util.Timing}) and the start-up warm-up thread ({@link io.imgcast.util.Warmup}).
 */
package io.imgcast.util;
