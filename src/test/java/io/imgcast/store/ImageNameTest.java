package io.imgcast.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageNameTest {
    @Test
    void ordinaryNamesPass() {
        for (String n : new String[] {"debian-12", "a", "web_2024.01+hotfix", "lab@host:v2", "X".repeat(128)}) {
            assertTrue(ImageName.valid(n), n);
            assertEquals(n, ImageName.check(n));
            assertEquals(n, ImageName.printable(n));
        }
    }

    @Test
    void hostileNamesAreRefusedWithTheRule() {
        for (String n : new String[] {"../../x", "", "a\nb", "x".repeat(5000), "\u001b[2J\u001b[31mred", ".hidden", "-rf", "a/b",
                "a b", "caf\u00e9", "x".repeat(129)}) {
            assertFalse(ImageName.valid(n), n);
            StoreException e = assertThrows(StoreException.class, () -> ImageName.check(n));
            assertTrue(e.getMessage().contains(ImageName.RULE), e.getMessage());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u001b"), e.getMessage());
            assertTrue(e.getMessage().length() < 400, "message stays short");
        }
    }

    @Test
    void printableEscapesControlAndNonAscii() {
        assertEquals("a\\x0ab", ImageName.printable("a\nb"));
        assertEquals("\\x1b[2J", ImageName.printable("\u001b[2J"));
        assertEquals("../../x", ImageName.printable("../../x"));
        assertEquals("a\\\\b", ImageName.printable("a\\b"));
        assertEquals("caf\\xe9", ImageName.printable("caf\u00e9"));
        assertEquals("\\u202e", ImageName.printable("\u202e"));
    }
}
