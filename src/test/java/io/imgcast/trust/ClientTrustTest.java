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

    @Test
    void aPeerReceiverPinsTheAnnouncedKeyForTlsAndTheImageKeyAloneForManifests() {
        String announced = ImageSignature.fingerprint(ImageSignature.newKeyPair().getPublic().getEncoded());
        String image = ImageSignature.fingerprint(ImageSignature.newKeyPair().getPublic().getEncoded());
        ClientTrust unpinned = ClientTrust.peer(new Pin(announced), null, false);
        assertEquals(announced, unpinned.serverKey().hex(), "the TLS connection is pinned to the announced key");
        assertNull(unpinned.manifestPin(), "a master sending from a store serves manifests its store signed");
        assertNull(unpinned.firstUse(), "never trust on first use over TLS: the announcement named the key");
        assertEquals(image.substring(0, 16), ClientTrust.peer(new Pin(announced), Pin.parse(image.substring(0, 16)), false).manifestPin().hex());
        assertThrows(IllegalArgumentException.class, () -> ClientTrust.peer(null, null, false));
    }
}
