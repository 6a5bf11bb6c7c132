package io.imgcast.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordsTest {
    @Test
    void theStoredFormChecksOnlyItsPassword() {
        String stored = Passwords.hash("correct horse".toCharArray(), 1000);
        assertTrue(stored.startsWith("pbkdf2-sha256$1000$"), stored);
        assertFalse(stored.contains("correct horse"));
        assertTrue(Passwords.matches(stored, "correct horse".toCharArray()));
        assertFalse(Passwords.matches(stored, "correct hors".toCharArray()));
        assertFalse(Passwords.matches(stored, "Correct horse".toCharArray()));
        assertFalse(Passwords.matches(stored, new char[0]));
    }

    @Test
    void eachHashHasItsOwnSaltAndTheDefaultCountIsStrong() {
        String a = Passwords.hash("same password".toCharArray());
        String b = Passwords.hash("same password".toCharArray());
        assertNotEquals(a, b, "salted");
        assertEquals(Integer.toString(Passwords.ITERATIONS), a.split("\\$")[1]);
        assertTrue(Passwords.ITERATIONS >= 600_000);
        assertTrue(Passwords.matches(b, "same password".toCharArray()));
    }

    @Test
    void shortPasswordsAndForeignOrDamagedFormsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Passwords.hash("short".toCharArray()));
        String stored = Passwords.hash("long enough".toCharArray(), 1000);
        assertFalse(Passwords.matches(null, "long enough".toCharArray()));
        assertFalse(Passwords.matches("long enough", "long enough".toCharArray()), "a plain text is never a stored form");
        assertFalse(Passwords.matches(stored.replace("pbkdf2-sha256", "md5"), "long enough".toCharArray()));
        assertFalse(Passwords.matches(stored.replace("$1000$", "$0$"), "long enough".toCharArray()));
        assertFalse(Passwords.matches(stored.replace("$1000$", "$1001$"), "long enough".toCharArray()), "the count is part of the hash");
        assertFalse(Passwords.matches(stored + "!", "long enough".toCharArray()));
    }
}
