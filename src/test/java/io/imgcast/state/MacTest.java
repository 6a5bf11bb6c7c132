package io.imgcast.state;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MacTest {
    @Test
    void normalisesTheUsualSpellings() {
        for (String s : new String[] {"52:54:00:AB:cd:01", "52-54-00-ab-cd-01", "5254.00ab.cd01", "525400abcd01", " 52:54:00:ab:cd:01 "}) {
            assertEquals("52:54:00:ab:cd:01", Mac.normalize(s), s);
        }
        assertEquals("52:54:00:ab:cd:01", Mac.of(new byte[] {0x52, 0x54, 0, (byte) 0xab, (byte) 0xcd, 1}));
    }

    @Test
    void refusesWhatNoMachineHas() {
        for (String s : new String[] {"", "52:54:00:ab:cd", "52:54:00:ab:cd:0g", "52:54-00:ab:cd:01x", "00:00:00:00:00:00",
                "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "52:54:00:ab:cd:01:02", "5254:00ab:cd01"}) {
            assertThrows(IllegalArgumentException.class, () -> Mac.normalize(s), s);
        }
        assertThrows(IllegalArgumentException.class, () -> Mac.normalize(null));
    }

    @Test
    void namesAreBounded() {
        assertEquals("pc-01.lab_a", Names.check("host", "pc-01.lab_a"));
        assertThrows(IllegalArgumentException.class, () -> Names.check("host", "a".repeat(65)));
        assertThrows(IllegalArgumentException.class, () -> Names.check("host", "-x"));
        assertThrows(IllegalArgumentException.class, () -> Names.check("host", "a b"));
        assertThrows(IllegalArgumentException.class, () -> Names.check("host", ""));
    }
}
