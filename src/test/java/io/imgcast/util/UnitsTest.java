package io.imgcast.util;

import org.junit.jupiter.api.Test;

import static io.imgcast.util.Units.Quantity.BIT_RATE;
import static io.imgcast.util.Units.Quantity.BYTE_RATE;
import static io.imgcast.util.Units.Quantity.SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Units: explicit suffixes in bits or bytes, plain numbers in the quantity's own unit, ambiguity refused. */
class UnitsTest {
    @Test
    void networkRatesAreBitsPerSecond() {
        assertEquals(950_000_000L, Units.parseBitRate("950Mbit"));
        assertEquals(950_000_000L, Units.parseBitRate("950Mbit/s"));
        assertEquals(950_000_000L, Units.parseBitRate("950mbit"));
        assertEquals(950_000_000L, Units.parseBitRate("950Mbps"));
        assertEquals(1_000_000_000L, Units.parseBitRate("1Gbit"));
        assertEquals(2_500_000_000L, Units.parseBitRate("2.5Gbit"));
        assertEquals(100_000L, Units.parseBitRate("100kbit"));
        assertEquals(950_000_000L, Units.parseBitRate("950000000"), "a plain number is bits/s");
        assertEquals(1_600_000_000L, Units.parseBitRate("200MB/s"), "bytes are converted to bits");
        assertEquals(200L * 1024 * 1024 * 8, Units.parseBitRate("200MiB/s"));
        assertEquals(1_600_000_000L, Units.parseBitRate("200MBps"));
    }

    @Test
    void sizesAndReadRatesAreBytes() {
        assertEquals(2L << 30, Units.parseSize("2GiB"));
        assertEquals(2_000_000_000L, Units.parseSize("2GB"));
        assertEquals(512L << 20, Units.parseSize("512MiB"));
        assertEquals(4096, Units.parseSize("4096"));
        assertEquals(100, Units.parseSize("100B"));
        assertEquals(1L << 40, Units.parseSize("1TiB"));
        assertEquals(200_000_000L, Units.parseByteRate("200MB/s"));
        assertEquals(200L << 20, Units.parseByteRate("200MiB/s"));
        assertEquals(200L << 20, Units.parseByteRate("200MiB"));
        assertEquals(125_000_000L, Units.parseByteRate("1Gbit/s"), "bits are converted to bytes");
        assertEquals(1_000_000, Units.parseByteRate("1000000"), "a plain number is bytes/s");
    }

    @Test
    void aBareSuffixIsAmbiguousAndTheMessageNamesBothReadings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseBitRate("950m"));
        assertTrue(e.getMessage().contains("950 Mbit/s") && e.getMessage().contains("950 MB/s"), e.getMessage());
        assertTrue(e.getMessage().contains("950Mbit") && e.getMessage().contains("950MB/s"), "says what to write: " + e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Units.parseSize("2g"));
        assertTrue(e.getMessage().contains("2 GiB") && e.getMessage().contains("2 GB") && e.getMessage().contains("2147483648"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Units.parseByteRate("50m"));
        assertTrue(e.getMessage().contains("50 Mbit/s") && e.getMessage().contains("50 MB/s"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Units.parseBitRate("1G"));
        assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Units.parseBitRate("100mb"));
        assertTrue(e.getMessage().contains("bits or bytes") && e.getMessage().contains("100Mbit"), e.getMessage());
    }

    @Test
    void nonsenseIsRefusedClearly() {
        for (String s : new String[] {"", "fast", "-5MB", "10Xbit", "1e9", "5 MB/s/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseBitRate(s), s);
            assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseSize("8Gbit")).getMessage().contains("sizes are in bytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseSize("8GB/s")).getMessage().contains("rate"));
    }

    @Test
    void formatting() {
        assertEquals("512 B", Units.bytes(512));
        assertEquals("1.5 MiB", Units.bytes(3L << 19));
        assertEquals("1.0 MiB/s", Units.rate(1L << 20, 1_000_000_000L));
    }
}
