package dev.nube.engine.compute.network.vpc;

import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.DB;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.DB_MAC;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.INTERNET;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.PASST_MAC;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.WEB;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.WEB_MAC;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.GATEWAY_MAC;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.arpRequest;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.mac;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The switch over real unix sockets, the test playing QEMU's stream netdev (a listening socket) and passt. */
class VpcSwitchTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    VpcSwitch network;
    FakeResolver resolver;
    FakeSocket web;
    FakeSocket uplink;
    FakeSocket db;

    /** A listening unix socket, as QEMU's {@code -netdev stream,server=on} or passt offers one. */
    static final class FakeSocket implements AutoCloseable {
        final Path path;
        ServerSocketChannel server;
        volatile SocketChannel client;
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        volatile CountDownLatch ended = new CountDownLatch(1);

        FakeSocket(Path path) throws IOException {
            this.path = path;
            listen();
        }

        void listen() throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            server.configureBlocking(false);
        }

        /** Waits for the switch to connect; reads what it sends when {@code read}. */
        void accept(boolean read) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            SocketChannel accepted;
            while ((accepted = server.accept()) == null) {
                assertTrue(System.nanoTime() < deadline, "the switch connects to " + path.getFileName());
                Thread.sleep(5);
            }
            accepted.configureBlocking(true);
            client = accepted;
            ended = new CountDownLatch(1);
            if (read) {
                SocketChannel reading = accepted;
                CountDownLatch end = ended;
                Thread reader = new Thread(() -> readAll(reading, end), "fake " + path.getFileName());
                reader.setDaemon(true);
                reader.start();
            }
        }

        void accept() throws Exception {
            accept(true);
        }

        private void readAll(SocketChannel channel, CountDownLatch end) {
            try {
                while (true) {
                    ByteBuffer length = readFully(channel, 4);
                    received.add(readFully(channel, length.getInt(0)).array());
                }
            } catch (IOException e) {
                end.countDown();
            }
        }

        private static ByteBuffer readFully(SocketChannel channel, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new EOFException();
                }
            }
            return buffer;
        }

        void send(byte[] frame) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).flip();
            while (buffer.hasRemaining()) {
                client.write(buffer);
            }
        }

        byte[] next() throws InterruptedException {
            byte[] frame = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(frame, "a frame arrives at " + path.getFileName());
            return frame;
        }

        void hangUp() throws IOException {
            client.close();
        }

        @Override
        public void close() throws IOException {
            if (client != null) {
                client.close();
            }
            server.close();
            Files.deleteIfExists(path);
        }
    }

    /** An upstream resolver on 127.0.0.1 that answers every A query with 192.0.2.7. */
    static final class FakeResolver implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());

        FakeResolver() throws IOException {
            Thread thread = new Thread(this::serve, "fake resolver");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        private void serve() {
            byte[] buffer = new byte[512];
            try {
                while (true) {
                    DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                    socket.receive(query);
                    ByteBuffer answer = ByteBuffer.allocate(query.getLength() + 16);
                    answer.put(buffer, 0, query.getLength()).putShort((short) 0xc00c).putShort((short) 1)
                            .putShort((short) 1).putInt(300).putShort((short) 4).put(new byte[] {(byte) 192, 0, 2, 7});
                    byte[] bytes = answer.array();
                    bytes[2] = (byte) 0x81;
                    bytes[3] = (byte) 0x80;
                    Frames.put16(bytes, 6, 1);
                    socket.send(new DatagramPacket(bytes, bytes.length, query.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        resolver = new FakeResolver();
        web = new FakeSocket(dir.resolve("web.sock"));
        uplink = new FakeSocket(dir.resolve("web-uplink.sock"));
        network = new VpcSwitch("eu-west-1", VpcAddressing.DEFAULT, List.of(resolver.address()),
                Duration.ofMillis(20), Duration.ofSeconds(2));
        network.setPolicy(VpcForwarderTest.policy(VpcForwarderTest.web(), VpcForwarderTest.db(),
                VpcForwarderTest.other()));
        network.attach("i-web", web.path, uplink.path);
        // db's QEMU has not made its socket yet: the switch keeps trying
        network.attach("i-db", dir.resolve("db.sock"), null);
        web.accept();
        uplink.accept();
        db = new FakeSocket(dir.resolve("db.sock"));
    }

    @AfterEach
    void tearDown() throws IOException {
        network.close();
        for (AutoCloseable closeable : new AutoCloseable[] {web, uplink, db, resolver}) {
            try {
                closeable.close();
            } catch (Exception e) {
                // the test's own sockets
            }
        }
    }

    @Test
    void carriesFramesBetweenInstancesTheUplinkAndTheResolver() throws Exception {
        db.accept();
        web.send(arpRequest(WEB_MAC, WEB, DB));
        byte[] arp = web.next();
        assertEquals(DB_MAC, mac(arp, 22));

        byte[] syn = tcp(WEB_MAC, DB_MAC, WEB, DB, 40000, 5432, 0x02);
        web.send(syn);
        assertArrayEquals(syn, db.next());
        byte[] synAck = tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x12);
        db.send(synAck);
        assertArrayEquals(synAck, web.next());

        byte[] out = tcp(WEB_MAC, GATEWAY_MAC, WEB, INTERNET, 40001, 80, 0x02);
        web.send(out);
        assertArrayEquals(out, uplink.next());
        byte[] back = tcp(PASST_MAC, WEB_MAC, INTERNET, WEB, 80, 40001, 0x12);
        uplink.send(back);
        byte[] delivered = web.next();
        assertEquals(GATEWAY_MAC, mac(delivered, 6));
        assertArrayEquals(Arrays.copyOfRange(back, 12, back.length),
                Arrays.copyOfRange(delivered, 12, delivered.length));

        byte[] query = VpcTestFrames.dnsQuery(0x0707, "example.com", 1);
        web.send(VpcTestFrames.udp(WEB_MAC, GATEWAY_MAC, WEB, "172.31.0.2", 45000, 53, query));
        byte[] answer = VpcTestFrames.udpPayload(web.next());
        assertEquals(0x0707, Frames.u16(answer, 0));
        assertEquals(1, Frames.u16(answer, 6));
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 7}, Arrays.copyOfRange(answer, answer.length - 4,
                answer.length), "the upstream resolver's answer");

        VpcTraffic traffic = network.traffic("i-web");
        assertEquals(4, traffic.framesOut());
        assertEquals(4, traffic.framesIn());
        assertTrue(network.guestConnected("i-web") && network.uplinkConnected("i-web"));
    }

    @Test
    void connectsAgainWhenAConnectionDropsOrItsSocketComesBack() throws Exception {
        db.accept();
        byte[] syn = tcp(WEB_MAC, DB_MAC, WEB, DB, 40000, 5432, 0x02);
        web.send(syn);
        assertArrayEquals(syn, db.next());

        db.hangUp(); // QEMU takes a new client once the last one left
        db.accept();
        web.send(syn);
        assertArrayEquals(syn, db.next());

        db.close(); // QEMU restarts: its socket is gone for a while
        waitUntil(() -> !network.guestConnected("i-db"));
        db = new FakeSocket(dir.resolve("db.sock"));
        db.accept();
        waitUntil(() -> network.guestConnected("i-db"));
        web.send(syn);
        assertArrayEquals(syn, db.next());

        network.detach("i-db");
        assertTrue(db.ended.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "detaching closes the connection");
        waitUntil(() -> !network.guestConnected("i-db"));
    }

    @Test
    void aGuestThatDoesNotReadHoldsUpNobodyElse() throws Exception {
        db.accept(false);
        byte[] segment = new byte[1400];
        byte[] header = Arrays.copyOfRange(tcp(WEB_MAC, DB_MAC, WEB, DB, 40000, 5432, 0x10), 34, 54);
        System.arraycopy(header, 0, segment, 0, header.length);
        byte[] big = VpcTestFrames.ipv4(WEB_MAC, DB_MAC, WEB, DB, 6, segment);
        for (int i = 0; i < 3000; i++) { // 4 MB, more than the socket and the queue hold
            web.send(big);
        }
        web.send(arpRequest(WEB_MAC, WEB, DB));
        assertEquals(DB_MAC, mac(web.next(), 22), "web is still answered");
        waitUntil(() -> network.traffic("i-web").framesOut() == 3001);
        assertTrue(network.traffic("i-web").droppedOther() > 0, "frames db could not take were dropped");
        assertEquals(0, network.traffic("i-web").droppedByRule());
    }

    static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the condition holds in time");
            Thread.sleep(5);
        }
    }
}
