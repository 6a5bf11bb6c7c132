package io.imgcast.boot;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootCmdlineTest {
    private static final String FP = "0123456789abcdef".repeat(4);

    @Test
    void readsWhatTheScriptWrote() {
        IpxeScript.Server s = new IpxeScript.Server("http://10.0.0.1:8480", "https://10.0.0.1:8470", FP, false);
        String line = "BOOT_IMAGE=vmlinuz " + IpxeScript.kernelLine(s, "52:54:00:AA:BB:01") + " quiet";
        assertEquals(new BootCmdline(URI.create("https://10.0.0.1:8470"), FP, "52:54:00:aa:bb:01", false), BootCmdline.parse(line));
        BootCmdline plain = BootCmdline.parse(IpxeScript.kernelLine(new IpxeScript.Server("http://10.0.0.1:8480", "http://10.0.0.1:8470", null, true),
                "525400aabb01"));
        assertTrue(plain.insecure());
        assertEquals(null, plain.fingerprint());
    }

    @Test
    void missingOrUncheckedIsAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BootCmdline.parse("quiet console=ttyS0")).getMessage().contains("names no server"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BootCmdline.parse("imgcast.server=https://10.0.0.1:8470"))
                .getMessage().contains("pins no server key"));
        assertThrows(IllegalArgumentException.class, () -> BootCmdline.parse("imgcast.server=http://10.0.0.1:8470 imgcast.fp=" + FP),
                "plain HTTP only with imgcast.insecure=1");
        assertThrows(IllegalArgumentException.class, () -> BootCmdline.parse("imgcast.server=https://10.0.0.1:8470 imgcast.fp=xyz"));
        assertThrows(IllegalArgumentException.class, () -> BootCmdline.parse("imgcast.server=https://10.0.0.1:8470 imgcast.fp=" + FP + " imgcast.mac=zz"));
    }
}
