package dev.nube.engine.compute.network.vpc;

import static dev.nube.engine.compute.network.vpc.VpcTestFrames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VpcAddressingTest {
    final VpcAddressing vpc = VpcAddressing.DEFAULT;

    @Test
    void isEc2sDefaultVpc() {
        assertEquals("172.31.0.0/20", vpc.cidr().toString());
        assertEquals(ip("172.31.0.0"), vpc.network());
        assertEquals(ip("255.255.240.0"), vpc.netmask());
        assertEquals(ip("172.31.15.255"), vpc.broadcast());
        assertEquals(ip("172.31.0.1"), vpc.gateway());
        assertEquals(ip("172.31.0.2"), vpc.dns());
    }

    @Test
    void namesInstancesAsEc2Does() {
        assertEquals("ip-172-31-0-10.eu-west-1.compute.internal",
                VpcAddressing.privateDnsName(ip("172.31.0.10"), "eu-west-1"));
        assertEquals("ip-172-31-3-200.ec2.internal", VpcAddressing.privateDnsName(ip("172.31.3.200"), "us-east-1"));
    }

    @Test
    void givesTheLowestFreeAddressAndNeverAReservedOne() {
        assertEquals(Optional.of(ip("172.31.0.4")), vpc.lowestFree(List.of()));
        assertEquals(Optional.of(ip("172.31.0.6")),
                vpc.lowestFree(List.of(ip("172.31.0.4"), ip("172.31.0.5"), ip("172.31.0.9"))));
        List<InetAddress> all = new ArrayList<>();
        for (int i = 4; i < 4096 - 1; i++) {
            all.add(Frames.inet(VpcTestFrames.ipInt("172.31.0.0") + i));
        }
        assertEquals(Optional.empty(), vpc.lowestFree(all), "the broadcast address is never given");
        all.remove(ip("172.31.15.254"));
        assertEquals(Optional.of(ip("172.31.15.254")), vpc.lowestFree(all));
    }
}
