package dev.nube.engine.compute.instances;

import static dev.nube.engine.compute.instances.VmTestSupport.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.InstanceNetwork;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.engine.compute.network.SecurityGroupService;
import dev.nube.engine.compute.network.addresses.ElasticIp;
import dev.nube.engine.compute.network.addresses.ElasticIpService;
import dev.nube.engine.compute.qemu.QemuMachine;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Networking with two real guests (busybox {@code nc} and {@code httpd} inside): security groups that filter the
 * public address, the private network and the way out; Elastic IPs; and nothing listening outside the pool. The
 * guests are shared by the tests; each test puts back the rules it changed. Traffic goes only to loopback addresses
 * and inside the virtual network.
 */
class NetworkingVmTest extends VmTestBase {
    private static SecurityGroup admin;
    private static SecurityGroup web;
    private static SecurityGroup db;
    private static String a;
    private static String b;

    @BeforeAll
    static void launchTwo() throws Exception {
        SecurityGroupService groups = vm.engine.securityGroups();
        admin = groups.create(REGION, "admin", "SSH for the tests");
        groups.setRules(REGION, admin.id(), Direction.INBOUND, List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 22,
                22, "0.0.0.0/0", "ssh")));
        web = groups.create(REGION, "web", "the web server");
        db = groups.create(REGION, "db", "the database");
        groups.setRules(REGION, db.id(), Direction.INBOUND, List.of(SecurityGroupRule.fromGroup(Protocol.TCP, 5432,
                5432, web.id(), "postgres from web")));
        List<Instance> two = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())
                .withSecurityGroups(List.of(admin.id(), web.id())).withName("a"));
        a = two.get(0).id();
        b = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())
                .withSecurityGroups(List.of(admin.id(), db.id())).withName("b")).get(0).id();
        vm.awaitRunning(a);
        vm.awaitRunning(b);
        awaitSsh(a);
        awaitSsh(b);
        vm.ssh(a, "mkdir -p /www && echo A > /www/index.html && httpd -p 8080 -h /www");
        vm.ssh(b, "mkdir -p /www && echo B > /www/index.html && httpd -p 8080 -h /www");
        for (int port : new int[] {5432, 5433}) {
            vm.ssh(b, "setsid sh -c 'while true; do echo db" + port + " | nc -l -p " + port + "; done'"
                    + " </dev/null >/dev/null 2>&1 &");
        }
    }

    /** SSH answers through the public address once the network is up and the guest's server runs. */
    private static void awaitSsh(String id) throws Exception {
        long deadline = System.currentTimeMillis() + VmTestSupport.BOOT_MS;
        while (true) {
            try {
                vm.ssh(id, "true");
                return;
            } catch (IOException | EngineException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static InstanceNetwork network(String id) {
        ((Instances) vm.instances()).network().networkOf(REGION, id);
        return ((Instances) vm.instances()).network().networkOf(REGION, id).orElseThrow();
    }

    private static void settle() {
        ((dev.nube.engine.compute.network.Networking) ((Instances) vm.instances()).network()).settle();
    }

    private static void setRules(SecurityGroup group, Direction direction, List<SecurityGroupRule> rules) {
        vm.engine.securityGroups().setRules(REGION, group.id(), direction, rules);
        settle();
    }

    /** The body of {@code GET /} at address:port from a client bound to {@code from}, or null when refused or cut. */
    private static String get(String address, int port, String from) {
        try (Socket s = new Socket()) {
            if (from != null) {
                s.bind(new InetSocketAddress(from, 0));
            }
            s.connect(new InetSocketAddress(address, port), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = reply.indexOf("\r\n\r\n");
            return body < 0 ? null : reply.substring(body + 4).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static int publicPort(String id, int guestPort) {
        InstanceNetwork n = network(id);
        return n.endpoints().stream().filter(e -> e.guestPort() == guestPort && e.protocol() == Protocol.TCP
                && e.address().equals(n.publicIp())).findFirst().orElseThrow(() -> new AssertionError(
                        "no endpoint for " + guestPort + " in " + n)).port();
    }

    @Test
    void aPublicPortIsReachableExactlyWhileARuleAllowsIt() throws Exception {
        InstanceNetwork before = network(a);
        assertNotNull(before.publicIp());
        assertTrue(Cidr.parse("127.100.0.0/16").contains(InetAddress.getByName(before.publicIp())), before.publicIp());
        assertTrue(before.endpoints().stream().noneMatch(e -> e.guestPort() == 8080), before.toString());
        assertEquals(null, get(before.publicIp(), 8080, null), "no rule, no way in");

        setRules(web, Direction.INBOUND, List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 8080, 8081, "0.0.0.0/0",
                "web")));
        assertEquals("A", get(before.publicIp(), publicPort(a, 8080), null));

        // An open connection is cut when the rule goes.
        vm.ssh(a, "setsid sh -c 'sleep 600 | nc -l -p 8081 > /tmp/got' </dev/null >/dev/null 2>&1 &");
        EngineTestSupport.waitUntil("the guest to listen on 8081", 30, () -> vm.ssh(a, "netstat -ltn")
                .contains(":8081 "));
        try (Socket open = new Socket()) {
            open.connect(new InetSocketAddress(before.publicIp(), publicPort(a, 8081)), 5000);
            open.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            open.getOutputStream().flush();
            EngineTestSupport.waitUntil("the guest to get the first line", 30,
                    () -> vm.ssh(a, "cat /tmp/got").contains("hello"));
            setRules(web, Direction.INBOUND, List.of());
            open.setSoTimeout(10_000);
            InputStream in = open.getInputStream();
            int read;
            try {
                read = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection was not cut when its rule was removed", e);
            } catch (IOException e) {
                read = -1; // reset
            }
            assertEquals(-1, read, "the connection ends");
        }
        assertEquals(null, get(before.publicIp(), 8080, null), "the rule is gone");
        assertTrue(network(a).endpoints().stream().noneMatch(e -> e.guestPort() == 8080));
    }

    @Test
    void aRuleForOneAddressAdmitsItAndRefusesAnother() {
        setRules(web, Direction.INBOUND, List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 8080, 8080, "127.0.0.5/32",
                "one client")));
        try {
            String publicIp = network(a).publicIp();
            int port = publicPort(a, 8080);
            assertEquals("A", get(publicIp, port, "127.0.0.5"));
            assertEquals(null, get(publicIp, port, "127.0.0.6"));
        } finally {
            setRules(web, Direction.INBOUND, List.of());
        }
    }

    @Test
    void instancesReachEachOtherWhereTheirGroupsAllow() throws Exception {
        String bIp = vm.instances().get(REGION, b).privateIp();
        assertTrue(bIp.startsWith("172.31."), bIp);
        assertNotEquals(bIp, vm.instances().get(REGION, a).privateIp());
        String name = "ip-" + bIp.replace('.', '-') + "." + REGION + ".compute.internal";
        assertEquals(name, network(b).privateDnsName());
        assertTrue(vm.ssh(a, "nslookup " + name).contains(bIp), "the private DNS name resolves");

        assertTrue(vm.ssh(a, "nc -w 3 " + bIp + " 5432 </dev/null").contains("db5432"), "5432 from web is allowed");
        assertFalse(vm.ssh(a, "nc -w 3 " + bIp + " 5433 </dev/null").contains("db5433"), "5433 is not");
        try {
            vm.instances().setSecurityGroups(REGION, a, List.of(admin.id()));
            settle();
            assertFalse(vm.ssh(a, "nc -w 3 " + bIp + " 5432 </dev/null").contains("db5432"),
                    "out of the web group, a no longer reaches 5432");
        } finally {
            vm.instances().setSecurityGroups(REGION, a, List.of(admin.id(), web.id()));
            settle();
        }
        assertTrue(vm.ssh(a, "nc -w 3 " + bIp + " 5432 </dev/null").contains("db5432"), "back in web");
    }

    @Test
    void anElasticIpMovesFromOneInstanceToAnother() throws Exception {
        ElasticIpService eips = vm.engine.elasticIps();
        setRules(web, Direction.INBOUND, List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 8080, 8080, "0.0.0.0/0",
                "web")));
        setRules(db, Direction.INBOUND, List.of(SecurityGroupRule.fromGroup(Protocol.TCP, 5432, 5432, web.id(),
                "postgres from web"), SecurityGroupRule.fromCidr(Protocol.TCP, 8080, 8080, "0.0.0.0/0", "web")));
        ElasticIp eip = eips.allocate(REGION);
        try {
            eips.associate(REGION, eip.allocationId(), a);
            settle();
            assertEquals(eip.publicIp(), network(a).publicIp());
            assertEquals(eip.publicIp(), vm.instances().get(REGION, a).publicIp());
            assertEquals("A", get(eip.publicIp(), publicPort(a, 8080), null));

            eips.associate(REGION, eip.allocationId(), b);
            settle();
            assertEquals(eip.publicIp(), network(b).publicIp());
            assertNotEquals(eip.publicIp(), network(a).publicIp(), "a gets an address of the pool again");
            assertEquals("B", get(eip.publicIp(), publicPort(b, 8080), null));

            EngineException inUse = assertThrows(EngineException.class, () -> eips.release(REGION,
                    eip.allocationId()));
            assertEquals("InvalidIPAddress.InUse", inUse.code());
        } finally {
            eips.disassociate(REGION, eip.allocationId());
            eips.release(REGION, eip.allocationId());
            setRules(web, Direction.INBOUND, List.of());
            setRules(db, Direction.INBOUND, List.of(SecurityGroupRule.fromGroup(Protocol.TCP, 5432, 5432, web.id(),
                    "postgres from web")));
        }
    }

    @Test
    void theWayOutFollowsTheOutboundRules() throws Exception {
        try (ServerSocket host = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            host.setSoTimeout(15_000);
            udp.setSoTimeout(15_000);
            // The gateway is the host itself, as with QEMU's and passt's user networks.
            vm.ssh(a, "echo out-tcp | nc -w 5 172.31.0.1 " + host.getLocalPort() + " >/dev/null 2>&1 &");
            try (Socket in = host.accept()) {
                in.setSoTimeout(15_000);
                assertEquals("out-tcp", new String(in.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .strip());
            }
            // syslogd sends each line it gets to the remote address over UDP; logger writes once its socket exists.
            vm.ssh(a, "syslogd -R 172.31.0.1:" + udp.getLocalPort() + " && sleep 1 && logger out-udp");
            DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
            udp.receive(packet);
            assertTrue(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8).contains("out-udp"));

            List<SecurityGroupRule> allOut = vm.engine.securityGroups().get(REGION, web.id()).outbound();
            setRules(web, Direction.OUTBOUND, List.of());
            setRules(admin, Direction.OUTBOUND, List.of());
            try {
                host.setSoTimeout(6_000);
                vm.ssh(a, "echo blocked | nc -w 3 172.31.0.1 " + host.getLocalPort() + " >/dev/null 2>&1 &");
                assertThrows(SocketTimeoutException.class, host::accept, "no outbound rule, no way out");
                udp.setSoTimeout(4_000);
                vm.ssh(a, "logger blocked-udp");
                assertThrows(SocketTimeoutException.class, () -> udp.receive(packet));
            } finally {
                setRules(web, Direction.OUTBOUND, allOut);
                setRules(admin, Direction.OUTBOUND, allOut);
                vm.ssh(a, "killall syslogd");
            }
        }
    }

    private static String metadata(String id, String token) throws IOException {
        return vm.ssh(id, "wget -q -O - " + (token == null ? "" : "--header 'X-aws-ec2-metadata-token: " + token + "' ")
                + "http://169.254.169.254/latest/meta-data/instance-id 2>&1; echo \" rc=$?\"").strip();
    }

    @Test
    void theMetadataServiceWantsATokenOfItsOwnInstance() throws Exception {
        // As an EC2 instance's, the guest's system UUID starts with ec2 (cloud-init then speaks IMDSv2 too).
        assertEquals(QemuMachine.systemUuid(a), vm.ssh(a, "cat /sys/class/dmi/id/product_uuid").strip());
        // The guests got their SSH key through IMDSv2 at boot: Nube's image asks for a token, and requires one.
        assertEquals("required", vm.instances().get(REGION, a).httpTokens());
        assertTrue(metadata(a, null).endsWith("rc=1"), "IMDSv1 refused: " + metadata(a, null));
        String token = vm.ssh(a, VmTestSupport.PUT_TOKEN).strip();
        assertEquals(a + " rc=0", metadata(a, token));
        assertTrue(metadata(b, token).endsWith("rc=1"), "another instance's token is refused");
        String own = vm.ssh(b, VmTestSupport.PUT_TOKEN).strip();
        assertEquals(b + " rc=0", metadata(b, own));
        try {
            assertEquals("optional", vm.instances().setMetadataTokens(REGION, b, "optional").httpTokens());
            assertEquals(b + " rc=0", metadata(b, null), "optional: IMDSv1 answered at once");
        } finally {
            vm.instances().setMetadataTokens(REGION, b, "required");
        }
        assertTrue(metadata(b, null).endsWith("rc=1"), "required again");
        String document = vm.ssh(a, "wget -q -O - --header 'X-aws-ec2-metadata-token: " + token
                + "' http://169.254.169.254/latest/dynamic/instance-identity/document");
        assertTrue(document.contains("\"instanceId\" : \"" + a + "\"") && document.contains("\"region\" : \""
                + REGION + "\""), document);
    }

    @Test
    void theEngineListensOnlyOnThePool() throws Exception {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        Cidr pool = Cidr.parse(vm.engine.network().publicPool());
        int listening = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                boolean listens = table.contains("tcp") ? f[3].equals("0A") : f[3].equals("07");
                if (listens && inodes.contains(f[9])) {
                    InetAddress local = procAddress(f[1].substring(0, f[1].indexOf(':')));
                    assertTrue(pool.contains(local), table + ": the engine listens on " + local + " outside " + pool);
                    listening++;
                }
            }
        }
        assertTrue(listening >= 2, "the SSH endpoints of both instances are among the listeners: " + listening);
    }

    /** An address as /proc/net prints it: 32-bit words in host (little-endian) order; IPv4-mapped IPv6 as IPv4. */
    private static InetAddress procAddress(String hex) throws IOException {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                bytes[word * 4 + 3 - i] = (byte) Integer.parseInt(hex.substring(word * 8 + 2 * i, word * 8 + 2 * i + 2),
                        16);
            }
        }
        return InetAddress.getByAddress(bytes); // an IPv4-mapped address comes back as an Inet4Address
    }
}
