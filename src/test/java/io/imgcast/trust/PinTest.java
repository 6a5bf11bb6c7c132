package io.imgcast.trust;

import io.imgcast.manifest.ImageSignature;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinTest {
    private final String fp = ImageSignature.fingerprint(ImageSignature.newKeyPair().getPublic().getEncoded());

    @Test
    void aPinNeedsSixteenHexDigits() {
        for (String bad : new String[] {"", "a", "0", "00000000", "0123456789abcde"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pin.parse(bad));
            assertTrue(e.getMessage().contains("at least 16 hex digits"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Pin.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Pin.parse("zz23456789abcdef"));
        assertThrows(IllegalArgumentException.class, () -> Pin.parse(fp + "0"));
        assertThrows(IllegalArgumentException.class, () -> new Pin("abc"));
    }

    @Test
    void aPinMatchesItsKeyOnly() {
        assertTrue(Pin.parse(fp.substring(0, 16)).matches(fp));
        assertTrue(Pin.parse(fp.toUpperCase()).matches(fp));
        assertTrue(Pin.parse(fp.substring(0, 8) + ":" + fp.substring(8, 16)).matches(fp));
        String other = ImageSignature.fingerprint(ImageSignature.newKeyPair().getPublic().getEncoded());
        assertFalse(Pin.parse(fp.substring(0, 16)).matches(other));
        assertFalse(Pin.parse(fp.substring(0, 16)).matches(fp.substring(0, 20)), "only a whole fingerprint is matched");
        assertEquals(fp, Pin.parse(fp).hex());
    }
}
