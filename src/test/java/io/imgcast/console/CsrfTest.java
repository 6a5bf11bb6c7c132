package io.imgcast.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsrfTest {
    @Test
    void theLoginsTokenFromTheConsolesOwnOriginPasses() {
        assertNull(Csrf.refusal("tok", "tok", "https://10.77.1.1:8470", "10.77.1.1:8470"));
        assertNull(Csrf.refusal("tok", "tok", null, "10.77.1.1:8470"), "a browser that names no origin: the token alone");
        assertNull(Csrf.refusal("tok", "tok", "https://server.lab", "SERVER.lab"));
    }

    @Test
    void aMissingOrWrongTokenOrAnotherOriginIsRefused() {
        assertTrue(Csrf.refusal("tok", null, null, "h:1").contains("needs the console's CSRF token"));
        assertTrue(Csrf.refusal("tok", "tok2", null, "h:1").contains("does not match"));
        assertTrue(Csrf.refusal("tok", "", null, "h:1").contains("does not match"));
        assertTrue(Csrf.refusal("tok", "tok", "https://evil.example", "10.77.1.1:8470").contains("another site"));
        assertTrue(Csrf.refusal("tok", "tok", "https://10.77.1.1:8471", "10.77.1.1:8470").contains("another site"), "another port");
        assertTrue(Csrf.refusal("tok", "tok", "null", "10.77.1.1:8470").contains("another site"), "a sandboxed page");
        assertTrue(Csrf.refusal("tok", "tok", "https://10.77.1.1:8470", null).contains("another site"));
        assertTrue(Csrf.refusal("tok", "tok", "::not a uri", "h").contains("unreadable"));
    }
}
