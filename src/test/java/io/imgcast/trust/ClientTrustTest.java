package io.imgcast.trust;

import io.imgcast.manifest.ImageSignature;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientTrustTest {
    @Test
    void httpIsUpgradedUnlessPlainHttpIsAllowed() {
        ClientTrust tls = ClientTrust.of(null, null, false);
        assertEquals(URI.create("https://10.0.0.1:8470/"), tls.base(URI.create("http://10.0.0.1:8470")));
        assertEquals(URI.create("https://10.0.0.1:8470/"), tls.base(URI.create("https://10.0.0.1:8470/")));
        ClientTrust lab = ClientTrust.of(null, null, true);
        assertEquals(URI.create("http://10.0.0.1:8470/"), lab.base(URI.create("http://10.0.0.1:8470/")));
        assertEquals(URI.create("https://10.0.0.1:8470/"), lab.base(URI.create("https://10.0.0.1:8470/")), "TLS when asked, even in a lab");
        assertThrows(IllegalArgumentException.class, () -> tls.base(URI.create("ftp://10.0.0.1/")));
        assertThrows(IllegalArgumentException.class, () -> tls.base(URI.create("10.0.0.1:8470")));
    }

    @Test
    void theManifestPinIsTheImageKeyElseTheServerKey() {
        String a = ImageSignature.fingerprint(ImageSignature.newKeyPair().getPublic().getEncoded());
        String b = ImageSignature.fingerprint(ImageSignature.newKeyPair().getPublic().getEncoded());
        assertEquals(a.substring(0, 16), ClientTrust.of(a.substring(0, 16), null, false).manifestPin().hex());
        assertEquals(b.substring(0, 20), ClientTrust.of(a.substring(0, 16), b.substring(0, 20), false).manifestPin().hex());
        ClientTrust tofu = ClientTrust.of(null, null, false);
        assertNull(tofu.manifestPin(), "nothing seen yet");
        assertNull(tofu.firstUse());
        assertThrows(IllegalArgumentException.class, () -> ClientTrust.of("", null, false));
        assertThrows(IllegalArgumentException.class, () -> ClientTrust.of(null, "a", false));
    }
}
