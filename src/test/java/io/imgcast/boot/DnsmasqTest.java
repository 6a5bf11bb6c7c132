package io.imgcast.boot;

import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsmasqTest {
    private static final String URL = "http://10.9.0.1:8480/boot.ipxe";

    private static Dnsmasq.Config config(String range) {
        Inet4Address[] r = range == null ? new Inet4Address[2] : Dnsmasq.parseRange(range);
        return new Dnsmasq.Config(Dnsmasq.BINARY, "lab0", Dnsmasq.ipv4("10.9.0.1"), 24, r[0], r[1], Path.of("/usr/lib/ipxe"), URL,
                Path.of("/var/lib/imgcast/boot/dnsmasq.leases"));
    }

    @Test
    void aFullRangeHandsOutAddressesAndTheRightBootFile() {
        List<String> cmd = Dnsmasq.commandLine(config("10.9.0.100,10.9.0.200"));
        assertEquals("/usr/sbin/dnsmasq", cmd.getFirst());
        for (String must : List.of("--port=0", "--bind-interfaces", "--interface=lab0", "--conf-file=/dev/null", "--enable-tftp",
                "--tftp-root=/usr/lib/ipxe", "--dhcp-range=10.9.0.100,10.9.0.200,255.255.255.0,1h", "--dhcp-match=set:ipxe,175",
                "--dhcp-boot=tag:ipxe," + URL, "--dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi", "--dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe",
                "--dhcp-leasefile=/var/lib/imgcast/boot/dnsmasq.leases")) {
            assertTrue(cmd.contains(must), must + " in " + cmd);
        }
        assertFalse(cmd.stream().anyMatch(a -> a.contains("proxy")), "a full range is no proxy: " + cmd);
    }

    @Test
    void withoutARangeItIsProxyDhcpOnTheInterfacesNetwork() {
        List<String> cmd = Dnsmasq.commandLine(config(null));
        assertTrue(cmd.contains("--dhcp-range=10.9.0.0,proxy"), cmd.toString());
        assertTrue(cmd.contains("--pxe-service=tag:!ipxe,x86PC,imgcast,undionly.kpxe"), cmd.toString());
        assertTrue(cmd.contains("--pxe-service=tag:!ipxe,X86-64_EFI,imgcast,ipxe.efi"), cmd.toString());
        assertTrue(cmd.contains("--dhcp-boot=tag:ipxe," + URL), cmd.toString());
        assertFalse(cmd.contains("--dhcp-authoritative"), "a proxy must not claim the network: " + cmd);
        assertTrue(cmd.contains("--pxe-service=tag:ipxe,x86PC,imgcast," + URL), "iPXE gets a one-item menu naming the script: " + cmd);
        assertTrue(cmd.contains("--port=0") && cmd.contains("--bind-interfaces") && cmd.contains("--interface=lab0"));
    }

    @Test
    void aBadRangeIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> config("10.9.1.100,10.9.1.200"), "outside the interface's network");
        assertThrows(IllegalArgumentException.class, () -> config("10.9.0.200,10.9.0.100"), "start after end");
        assertThrows(IllegalArgumentException.class, () -> config("10.9.0.1,10.9.0.100"), "holds the server's address");
        assertThrows(IllegalArgumentException.class, () -> config("10.9.0.100"));
        assertThrows(IllegalArgumentException.class, () -> config("10.9.0.100,host.example"));
        assertEquals("255.255.240.0", Dnsmasq.netmask(20));
    }

    @Test
    void missingPiecesNameTheirPackages() {
        Dnsmasq.Config c = new Dnsmasq.Config(Path.of("/nonexistent/dnsmasq"), "lab0", Dnsmasq.ipv4("10.9.0.1"), 24, null, null,
                Path.of("/usr/lib/ipxe"), URL, Path.of("/tmp/l"));
        assertTrue(Dnsmasq.missing(c).contains("dnsmasq-base"), Dnsmasq.missing(c));
        Dnsmasq.Config t = new Dnsmasq.Config(Path.of("/bin/true"), "lab0", Dnsmasq.ipv4("10.9.0.1"), 24, null, null,
                Path.of("/nonexistent"), URL, Path.of("/tmp/l"));
        assertTrue(Dnsmasq.missing(t).contains("ipxe"), Dnsmasq.missing(t));
    }
}
