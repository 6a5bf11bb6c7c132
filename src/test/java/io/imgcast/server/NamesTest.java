package io.imgcast.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {
    @Test
    void namesAreBoundedAndControlCharactersReplaced() {
        assertEquals("m1", Names.machine("m1"));
        assertEquals("a?b?c", Names.machine("a\nb\u202ec"));
        String big = Names.machine("x".repeat(60_000));
        assertEquals(Names.MAX_MACHINE, big.length());
        assertTrue(big.endsWith("…"));
        assertEquals("?", Names.machine(""));
        assertEquals(Names.MAX_ERROR, Names.text("e".repeat(10_000), Names.MAX_ERROR).length());
    }

    @Test
    void imageNamesMustBeUsable() {
        assertTrue(Names.imageOk("ubuntu-24.04"));
        assertFalse(Names.imageOk(""));
        assertFalse(Names.imageOk("a\u0000b"));
        assertFalse(Names.imageOk("i".repeat(256)));
    }

    @Test
    void prioritiesAreClamped() {
        assertEquals(Names.MIN_PRIORITY, Names.clampPriority(Integer.MIN_VALUE));
        assertEquals(Names.MAX_PRIORITY, Names.clampPriority(Integer.MAX_VALUE));
        assertEquals(5, Names.clampPriority(5));
    }
}
