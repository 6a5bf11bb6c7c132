package io.imgcast.cast;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReceiveLossTest {
    @Test
    void gapsTheKernelDroppedAreNotNetworkLoss() {
        // 10% gaps, of which 8 points are the machine's own overruns
        assertEquals(0.02, ReceiveLoss.network(0.10, 9_200, 800), 1e-9);
        assertEquals(0.08, ReceiveLoss.overruns(9_200, 800), 1e-9);
    }

    @Test
    void withoutOverrunsTheGapsAreTheLoss() {
        assertEquals(0.05, ReceiveLoss.network(0.05, 10_000, 0), 1e-12);
        assertEquals(0.0, ReceiveLoss.network(0.0, 0, 0));
    }

    @Test
    void neverBelowZero() {
        // overruns of repair symbols and directories too: more drops than gaps among source symbols
        assertEquals(0.0, ReceiveLoss.network(0.01, 900, 100));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReceiveLoss.network(1.5, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ReceiveLoss.network(0.1, -1, 0));
    }
}
