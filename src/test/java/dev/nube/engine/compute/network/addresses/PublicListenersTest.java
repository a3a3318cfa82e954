package dev.nube.engine.compute.network.addresses;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real listeners on loopback addresses, in front of echo servers standing for a guest's ports. */
class PublicListenersTest {
    private static final String INSTANCE = "i-0000000000000000a";

    private GuestPorts guest;
    private PublicListeners listeners;
    /** A public address of its own for each test, so that tests never share a port. */
    private Inet4Address address;

    @BeforeEach
    void open() throws IOException {
        guest = new GuestPorts();
        // UDP sessions close after 2 s of silence: long enough that a loaded machine still sees the session it just
        // used, short enough that the test of their closing stays quick.
        listeners = new PublicListeners(Duration.ofSeconds(2));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        address = AddressPool.parseAddress("127.100." + random.nextInt(128, 255) + "." + random.nextInt(1, 255));
    }

    @AfterEach
    void close() throws IOException {
        listeners.close();
        guest.close();
    }

    private static int freeTcpPort(InetAddress on) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, on)) {
            return probe.getLocalPort();
        }
    }

    private static int freeUdpPort(InetAddress on) throws IOException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(on, 0))) {
            return probe.getLocalPort();
        }
    }

    private static Endpoint endpoint(Inet4Address on, int port, Protocol protocol, String... sources) {
        return new Endpoint(on, port, protocol, 8080, Arrays.stream(sources).map(Cidr::parse).toList(),
                "sg-0abc " + protocol.label() + "/8080 from " + String.join(", ", sources));
    }

    private static Socket connectFrom(String source, InetAddress to, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress(to, port), 5_000);
        // Bounds a broken run only: every read below expects data, an end or a reset.
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        return new String(socket.getInputStream().readNBytes(sent.length), StandardCharsets.UTF_8);
    }

    /** The connection was ended by the other side: an end of stream or a reset, never a silent hang. */
    private static void assertCut(Socket socket) {
        try {
            int read = socket.getInputStream().read();
            assertEquals(-1, read, "the connection should have been cut, but a byte came");
        } catch (SocketTimeoutException e) {
            fail("the connection is still open");
        } catch (IOException e) {
            // a reset: cut
        }
    }

    /** The connection was reset (SO_LINGER 0), not ended politely. */
    private static void assertReset(Socket socket) {
        // A timeout (the connection still open) is not a SocketException, and fails here too.
        SocketException e = assertThrows(SocketException.class, () -> socket.getInputStream().read());
        assertTrue(e.getMessage().toLowerCase().contains("reset"), e.getMessage());
    }

    /** A client from {@code source} is reset, as it connects (the reset may come first) or at its first read. */
    private static void assertRefused(String source, InetAddress to, int port) {
        SocketException e = assertThrows(SocketException.class, () -> {
            try (Socket socket = connectFrom(source, to, port)) {
                socket.getInputStream().read();
            }
        });
        assertTrue(e.getMessage().toLowerCase().contains("reset"), e.getMessage());
    }

    private void awaitConnections(int count) throws Exception {
        waitUntil(count + " open connections", 10, () -> listeners.status(INSTANCE).get(0).connections() == count);
    }

    @Test
    void aGuestPortIsReachedThroughThePublicAddress() throws Exception {
        int port = freeTcpPort(address);
        Endpoint web = endpoint(address, port, Protocol.TCP, "0.0.0.0/0");
        List<EndpointStatus> status = listeners.publish(INSTANCE, List.of(web), guest.targets());
        assertEquals(List.of(new EndpointStatus(web, true, null, 0)), status);
        assertEquals(List.of(web), listeners.endpoints(INSTANCE));

        try (Socket client = connectFrom("127.0.0.1", address, port)) {
            assertEquals("hello guest", roundTrip(client, "hello guest"));
            awaitConnections(1);
        }
        awaitConnections(0);
        assertTrue(listeners.problems(INSTANCE).isEmpty());
    }

    @Test
    void onlyAllowedSourcesReachTheGuestOthersAreReset() throws Exception {
        int port = freeTcpPort(address);
        listeners.publish(INSTANCE, List.of(endpoint(address, port, Protocol.TCP, "127.0.0.5/32")), guest.targets());

        assertRefused("127.0.0.6", address, port);
        assertEquals(0, guest.tcpConnections.get(), "a refused client never reaches the guest");
        try (Socket admitted = connectFrom("127.0.0.5", address, port)) {
            assertEquals("from .5", roundTrip(admitted, "from .5"));
        }
        assertEquals(1, guest.tcpConnections.get());
    }

    @Test
    void aFinIsPassedOnEachWay() throws Exception {
        int port = freeTcpPort(address);
        listeners.publish(INSTANCE, List.of(endpoint(address, port, Protocol.TCP, "127.0.0.0/8")), guest.targets());
        byte[] sent = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(sent);
        try (Socket client = connectFrom("127.0.0.1", address, port)) {
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(sent);
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // the reader below then fails
                }
            });
            writer.start();
            // The echo ends its side only after our FIN reached it, so reading to the end proves both FINs passed.
            byte[] received = client.getInputStream().readAllBytes();
            writer.join();
            assertArrayEquals(sent, received);
        }
    }

    @Test
    void removingAnEndpointCutsItsConnectionsAndRefusesNewOnes() throws Exception {
        int port = freeTcpPort(address);
        int other = freeTcpPort(address);
        Endpoint web = endpoint(address, port, Protocol.TCP, "0.0.0.0/0");
        Endpoint admin = endpoint(address, other, Protocol.TCP, "0.0.0.0/0");
        listeners.publish(INSTANCE, List.of(web, admin), guest.targets());
        try (Socket open = connectFrom("127.0.0.1", address, port);
             Socket kept = connectFrom("127.0.0.1", address, other)) {
            assertEquals("before", roundTrip(open, "before"));
            assertEquals("before", roundTrip(kept, "before"));

            listeners.publish(INSTANCE, List.of(admin), guest.targets());
            assertCut(open);
            assertThrows(ConnectException.class, () -> connectFrom("127.0.0.1", address, port).close());
            assertEquals("after", roundTrip(kept, "after"), "the endpoint still wanted is left alone");
            assertEquals(List.of(admin), listeners.endpoints(INSTANCE));

            listeners.unpublish(INSTANCE);
            assertCut(kept);
            assertTrue(listeners.endpoints(INSTANCE).isEmpty());
            assertThrows(ConnectException.class, () -> connectFrom("127.0.0.1", address, other).close());
        }
    }

    @Test
    void narrowingTheSourcesCutsOpenConnectionsFromSourcesNoLongerAllowed() throws Exception {
        int port = freeTcpPort(address);
        listeners.publish(INSTANCE, List.of(endpoint(address, port, Protocol.TCP, "127.0.0.0/8")), guest.targets());
        try (Socket five = connectFrom("127.0.0.5", address, port);
             Socket six = connectFrom("127.0.0.6", address, port)) {
            assertEquals("5", roundTrip(five, "5"));
            assertEquals("6", roundTrip(six, "6"));

            Endpoint narrowed = endpoint(address, port, Protocol.TCP, "127.0.0.5/32");
            listeners.publish(INSTANCE, List.of(narrowed), guest.targets());
            assertReset(six);
            assertEquals("still 5", roundTrip(five, "still 5"), "an allowed connection stays open");
            assertEquals(narrowed, listeners.endpoints(INSTANCE).get(0), "the listener shows the new rule");
            awaitConnections(1);
        }
    }

    @Test
    void udpDatagramsFromAllowedSourcesGetTheGuestsRepliesOthersAreDropped() throws Exception {
        int port = freeUdpPort(address);
        listeners.publish(INSTANCE, List.of(endpoint(address, port, Protocol.UDP, "127.0.0.5/32")), guest.targets());
        try (DatagramSocket refused = new DatagramSocket(new InetSocketAddress("127.0.0.6", 0));
             DatagramSocket admitted = new DatagramSocket(new InetSocketAddress("127.0.0.5", 0))) {
            refused.setSoTimeout(300);
            admitted.setSoTimeout(10_000);
            refused.send(packet("from .6", address, port));
            admitted.send(packet("from .5", address, port));

            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            admitted.receive(reply);
            assertEquals("from .5", new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8));
            assertEquals(new InetSocketAddress(address, port), reply.getSocketAddress(), "the reply comes from the"
                    + " public address");
            // One thread takes the datagrams in order: the refused one was handled before the admitted one.
            assertEquals(1, guest.datagrams.get(), "the refused datagram never reached the guest");
            assertThrows(SocketTimeoutException.class, () -> refused.receive(new DatagramPacket(new byte[100], 100)));
            assertEquals(1, listeners.status(INSTANCE).get(0).connections(), "one session");
        }
        awaitConnections(0);
    }

    private static DatagramPacket packet(String text, InetAddress to, int port) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new DatagramPacket(bytes, bytes.length, new InetSocketAddress(to, port));
    }

    @Test
    void anEndpointThatCannotBeBoundIsReportedAndTheOthersListen() throws Exception {
        int taken = freeTcpPort(address);
        int free = freeTcpPort(address);
        Inet4Address elsewhere = AddressPool.parseAddress("192.0.2.1");
        Endpoint blocked = endpoint(address, taken, Protocol.TCP, "0.0.0.0/0");
        Endpoint web = endpoint(address, free, Protocol.TCP, "0.0.0.0/0");
        Endpoint notHere = endpoint(elsewhere, free, Protocol.TCP, "0.0.0.0/0");
        Endpoint twice = endpoint(address, free, Protocol.TCP, "10.0.0.0/8");
        List<Endpoint> wanted = List.of(blocked, web, notHere, twice);
        List<EndpointStatus> status;
        try (ServerSocket other = new ServerSocket(taken, 1, address)) {
            status = listeners.publish(INSTANCE, wanted, guest.targets());
        }
        assertEquals(4, status.size());
        assertFalse(status.get(0).listening());
        assertTrue(status.get(0).problem().contains("already listens there"), status.get(0).problem());
        assertTrue(status.get(1).listening());
        assertNull(status.get(1).problem());
        assertFalse(status.get(2).listening());
        assertTrue(status.get(2).problem().contains("192.0.2.1 is not an address of this machine"),
                status.get(2).problem());
        assertTrue(status.get(3).problem().contains("twice"), status.get(3).problem());
        assertEquals(List.of(web), listeners.endpoints(INSTANCE));
        assertEquals(3, listeners.problems(INSTANCE).size());
        try (Socket client = connectFrom("127.0.0.1", address, free)) {
            assertEquals("still served", roundTrip(client, "still served"));
        }

        // The port is free again: the next publish opens it.
        assertTrue(listeners.publish(INSTANCE, List.of(blocked, web), guest.targets()).stream()
                .allMatch(EndpointStatus::listening));
        try (Socket client = connectFrom("127.0.0.1", address, taken)) {
            assertEquals("now open", roundTrip(client, "now open"));
        }
    }

    @Test
    void anEndpointOnALanAddressIsBoundThere() throws Exception {
        List<Inet4Address> lan = LanAddresses.ofThisHost();
        Assumptions.assumeFalse(lan.isEmpty(), "this machine has no LAN address");
        assertTrue(lan.stream().noneMatch(InetAddress::isLoopbackAddress));
        Inet4Address onLan = lan.get(0);
        int port = freeTcpPort(onLan);
        // Only loopback sources are allowed, and no traffic is sent to the LAN address: the test looks at the bind.
        Endpoint endpoint = endpoint(onLan, port, Protocol.TCP, "127.0.0.1/32");
        assertTrue(listeners.publish(INSTANCE, List.of(endpoint), guest.targets()).get(0).listening());
        assertEquals(List.of(endpoint), listeners.endpoints(INSTANCE));
        assertThrows(BindException.class, () -> new ServerSocket(port, 1, onLan).close(), "the port is bound");
        listeners.unpublish(INSTANCE);
        new ServerSocket(port, 1, onLan).close();
    }

    @Test
    void publishingAfterCloseIsRefused() {
        listeners.close();
        assertThrows(IllegalStateException.class, () -> listeners.publish(INSTANCE, List.of(), guest.targets()));
    }
}
