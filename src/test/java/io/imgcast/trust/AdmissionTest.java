package io.imgcast.trust;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionTest {
    @Test
    void knownMachinesByHardwareOrIpAddress() throws Exception {
        Admission known = Admission.known(Set.of("AA-BB-CC-00-11-22", "10.0.0.7"));
        InetAddress other = InetAddress.getByName("10.0.0.9");
        assertTrue(known.admits("aa:bb:cc:00:11:22", other));
        assertTrue(known.admits("aabb.cc00.1122", other));
        assertTrue(known.admits(null, InetAddress.getByName("10.0.0.7")));
        assertFalse(known.admits(null, other));
        assertFalse(known.admits("aa:bb:cc:00:11:23", other));
        assertTrue(Admission.ANY.admits(null, other));
        assertEquals("aa:bb:cc:00:11:22", Admission.normal("AABBCC001122"));
        assertEquals("not-a-mac", Admission.normal("not-a-mac"));
    }
}
