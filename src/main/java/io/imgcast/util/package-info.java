/**
 * Small shared pieces: POSIX calls through FFM ({@link io.imgcast.util.Posix}), progress (a bar on a
 * terminal, else periodic lines), JSON output, units (formatting, and parsing with explicit suffixes:
 * a bare one is ambiguous and refused).
 */
package io.imgcast.util;
