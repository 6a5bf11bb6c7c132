package io.imgcast.boot;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpxeScriptTest {
    private static final String FP = "0123456789abcdef".repeat(4);
    private static final IpxeScript.Server TLS = new IpxeScript.Server("http://10.0.0.1:8480/", "https://10.0.0.1:8470", FP, false);

    @Test
    void aMachineWithSomethingToDoBootsTheKernelWithTheContractsLine() {
        String s = IpxeScript.boot(TLS, "52-54-00-AA-BB-01", "host 'pc1'");
        assertEquals("#!ipxe\n"
                + "echo imgcast: host 'pc1'\n"
                + "kernel http://10.0.0.1:8480/boot/vmlinuz initrd=initrd.img imgcast.server=https://10.0.0.1:8470 imgcast.fp=" + FP
                + " imgcast.mac=52:54:00:aa:bb:01 console=tty0 console=ttyS0,115200\n"
                + "initrd http://10.0.0.1:8480/boot/initrd.img\n"
                + "boot\n", s);
    }

    @Test
    void plainHttpSaysSoOnTheKernelLine() {
        IpxeScript.Server plain = new IpxeScript.Server("http://10.0.0.1:8480", "http://10.0.0.1:8470/", null, true);
        assertEquals("initrd=initrd.img imgcast.server=http://10.0.0.1:8470 imgcast.mac=52:54:00:aa:bb:01 imgcast.insecure=1 "
                + IpxeScript.CONSOLE, IpxeScript.kernelLine(plain, "525400aabb01"));
    }

    @Test
    void nothingToDoExitsToTheLocalDiskAndNoMacChains() {
        String s = IpxeScript.local("host 'pc1' has no image yet");
        assertTrue(s.startsWith("#!ipxe\n") && s.endsWith("\nexit\n"), s);
        assertFalse(s.contains("kernel"), s);
        assertEquals("#!ipxe\nchain http://10.0.0.1:8480/boot.ipxe?mac=${net0/mac}\n", IpxeScript.chain(TLS));
    }

    @Test
    void aReasonCannotInjectScriptLines() {
        String s = IpxeScript.local("evil\nkernel http://x/y ${net0/mac}");
        assertEquals(3, s.split("\n").length, s);
        assertFalse(s.contains("$"), s);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> IpxeScript.boot(TLS, "not-a-mac", "x"));
        assertThrows(IllegalArgumentException.class, () -> new IpxeScript.Server("https://10.0.0.1:8480", "https://10.0.0.1:8470", FP, false),
                "stock iPXE cannot check the server's certificate: the boot files go over plain HTTP");
        assertThrows(IllegalArgumentException.class, () -> new IpxeScript.Server("http://10.0.0.1:8480", "https://10.0.0.1:8470", null, false),
                "a TLS server's kernel line pins its key");
        assertThrows(IllegalArgumentException.class, () -> new IpxeScript.Server("http://10.0.0.1:8480", "https://10.0.0.1:8470", "ABC", false));
        assertThrows(IllegalArgumentException.class, () -> new IpxeScript.Server("http://10.0.0.1:8480", "https://10.0.0.1:8470", FP, true),
                "--insecure-http goes with an http control URL");
    }
}
