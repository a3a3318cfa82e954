package dev.nube.engine.compute.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @ParameterizedTest
    @CsvSource({
        "0.0.0.0/0, 0.0.0.0/0",
        "10.1.0.0/16, 10.1.0.0/16",
        "192.168.1.7/32, 192.168.1.7/32",
        "::/0, ::/0",
        "2001:db8::/32, 2001:db8::/32",
        "2001:0DB8:0000:0000:0000:0000:0000:0001/128, 2001:db8::1/128",
        "fe80::1:2/128, fe80::1:2/128",
        "::ffff:10.0.0.1/128, ::ffff:a00:1/128",
    })
    void parsesAndPrintsCanonically(String text, String canonical) {
        assertEquals(canonical, Cidr.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0", "10.0.0.0/33", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/-1", "10.0.0.0/x",
        "01.0.0.0/8", "2001:db8:::/32", "2001:db8::1::2/128", "12345::/16", "2001:db8::/129", "example.com/32",
        "1:2:3:4:5:6:7:8:9/128", "10.0.0.1/24", "2001:db8::1/32"})
    void refusesWhatIsNotACidrBlock(String text) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    }

    @Test
    void suggestsTheNetworkWhenHostBitsAreSet() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.1/24"));
        assertTrue(e.getMessage().contains("did you mean 10.0.0.0/24?"), e.getMessage());
    }

    @Test
    void containsAddressesOfItsFamilyOnly() throws Exception {
        Cidr loopback = Cidr.parse("127.0.0.0/8");
        assertTrue(loopback.contains(InetAddress.getByAddress(new byte[] {127, 100, 0, 1})));
        assertFalse(loopback.contains(InetAddress.getByAddress(new byte[] {10, 0, 0, 1})));
        assertFalse(Cidr.parse("::/0").contains(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByAddress(new byte[] {1, 2, 3, 4})));
    }
}
