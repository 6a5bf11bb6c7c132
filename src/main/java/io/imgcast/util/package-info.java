/** Small shared pieces: POSIX calls through FFM ({@link io.imgcast.util.Posix}), progress bars, JSON output, units. */
package io.imgcast.util;
