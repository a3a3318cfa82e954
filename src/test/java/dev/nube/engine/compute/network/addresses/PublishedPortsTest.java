package dev.nube.engine.compute.network.addresses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import java.net.Inet4Address;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishedPortsTest {
    private static final Inet4Address PUBLIC = AddressPool.parseAddress("127.100.0.7");
    private static final Inet4Address LAN = AddressPool.parseAddress("192.168.1.20");

    private static SecurityGroup group(String id, SecurityGroupRule... inbound) {
        return new SecurityGroup(id, id, "", List.of(inbound), List.of(), Instant.EPOCH);
    }

    private static List<Cidr> cidrs(String... blocks) {
        return java.util.Arrays.stream(blocks).map(Cidr::parse).toList();
    }

    @Test
    void eachAllowedPortIsAnEndpointWithTheSourcesOfEveryRuleThatAllowsIt() {
        SecurityGroup web = group("sg-0a",
                SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "0.0.0.0/0", "SSH"),
                SecurityGroupRule.fromCidr(Protocol.TCP, 80, 80, "10.0.0.0/8", "HTTP office"),
                SecurityGroupRule.fromCidr(Protocol.UDP, 53, 53, "127.0.0.0/8", "DNS"));
        SecurityGroup admin = group("sg-0b",
                SecurityGroupRule.fromCidr(Protocol.TCP, 80, 80, "127.0.0.5/32", "HTTP admin"),
                SecurityGroupRule.fromCidr(Protocol.TCP, 8000, 8001, "0.0.0.0/0", "dev servers"));
        PublishedPorts.Plan plan = PublishedPorts.of(List.of(PUBLIC), List.of(web, admin),
                new PortMapping(false, 1024));
        assertEquals(List.of(
                new Endpoint(PUBLIC, 10022, Protocol.TCP, 22, cidrs("0.0.0.0/0"), "sg-0a tcp/22 from 0.0.0.0/0"),
                new Endpoint(PUBLIC, 10080, Protocol.TCP, 80, cidrs("10.0.0.0/8", "127.0.0.5/32"),
                        "sg-0a tcp/80 from 10.0.0.0/8; sg-0b tcp/80 from 127.0.0.5/32"),
                new Endpoint(PUBLIC, 8000, Protocol.TCP, 8000, cidrs("0.0.0.0/0"), "sg-0b tcp/8000-8001 from 0.0.0.0/0"),
                new Endpoint(PUBLIC, 8001, Protocol.TCP, 8001, cidrs("0.0.0.0/0"), "sg-0b tcp/8000-8001 from 0.0.0.0/0"),
                new Endpoint(PUBLIC, 10053, Protocol.UDP, 53, cidrs("127.0.0.0/8"), "sg-0a udp/53 from 127.0.0.0/8")),
                plan.endpoints());
        assertEquals(List.of(), plan.notPublished());
    }

    @Test
    void everyAddressGetsTheSameEndpoints() {
        SecurityGroup web = group("sg-0a", SecurityGroupRule.fromCidr(Protocol.TCP, 443, 443, "0.0.0.0/0", ""));
        PublishedPorts.Plan plan = PublishedPorts.of(List.of(PUBLIC, LAN), List.of(web), new PortMapping(true, 1024));
        assertEquals(List.of(PUBLIC, LAN), plan.endpoints().stream().map(Endpoint::address).toList());
        assertEquals(List.of(443, 443), plan.endpoints().stream().map(Endpoint::hostPort).toList());
    }

    @Test
    void whatNoListenerCanStandForIsListedWithTheReason() {
        SecurityGroup odd = group("sg-0c",
                SecurityGroupRule.fromCidr(Protocol.ICMP, -1, -1, "0.0.0.0/0", "ping"),
                SecurityGroupRule.fromCidr(Protocol.ALL, -1, -1, "10.0.0.0/8", "everything"),
                SecurityGroupRule.fromGroup(Protocol.TCP, 5432, 5432, "sg-0a", "db from web"),
                SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "2001:db8::/32", "SSH v6"),
                SecurityGroupRule.fromCidr(Protocol.TCP, 0, 65535, "0.0.0.0/0", "all TCP"),
                SecurityGroupRule.fromCidr(Protocol.UDP, 0, 0, "0.0.0.0/0", "port zero"));
        PublishedPorts.Plan plan = PublishedPorts.of(List.of(PUBLIC), List.of(odd), new PortMapping(false, 1024));
        assertEquals(List.of(), plan.endpoints());
        assertEquals(List.of(
                "sg-0c icmp from 0.0.0.0/0: ICMP is not forwarded to instances",
                "sg-0c all from 10.0.0.0/8: all traffic publishes no port; add TCP or UDP rules for the ports to reach",
                "sg-0c tcp/5432 from sg-0a: sources named by a security group are instances of this machine, which"
                        + " reach each other without a public address",
                "sg-0c tcp/22 from 2001:db8::/32: IPv6 sources cannot reach an IPv4 public address",
                "sg-0c tcp/All from 0.0.0.0/0: a range of 65535 ports is wider than the 64 ports published per rule"
                        + " (each port is a listener)",
                "sg-0c udp/0 from 0.0.0.0/0: port 0 cannot be reached"), plan.notPublished());
    }
}
