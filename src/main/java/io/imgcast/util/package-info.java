/**
 * Small shared pieces: POSIX calls through FFM ({@link io.imgcast.util.Posix}), progress (a bar on a
 * terminal, else periodic lines), JSON output, units (formatting, and parsing with explicit suffixes:
 * a bare one is ambiguous and refused), phase timers ({@link io.imgcast.util.Timing}) and the start-up
 * warm-up thread ({@link io.imgcast.util.Warmup}).
 */
package io.imgcast.util;
