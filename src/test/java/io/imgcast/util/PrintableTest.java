package io.imgcast.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class PrintableTest {
    @Test
    void printableTextIsUnchanged() {
        String s = "Café lab — 教室 1";
        assertSame(s, Printable.of(s));
    }

    @Test
    void controlAndFormatCharactersAreEscaped() {
        assertEquals("a\\x1b[2Jb\\x0a\\x9b\\u202e\\\\", Printable.of("a\u001b[2Jb\n\u009b\u202e\\"));
        assertEquals("", Printable.of(null));
    }
}
