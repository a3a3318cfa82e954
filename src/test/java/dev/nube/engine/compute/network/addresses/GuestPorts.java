package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.network.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a guest's ports look like from the host in these tests: a TCP and a UDP echo server on 127.0.0.1, counting the
 * connections and datagrams that reach them. The TCP echo passes on the client's FIN once it has echoed everything.
 */
final class GuestPorts implements AutoCloseable {
    final ServerSocket tcp;
    final DatagramSocket udp;
    final AtomicInteger tcpConnections = new AtomicInteger();
    final AtomicInteger datagrams = new AtomicInteger();

    GuestPorts() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        tcp = new ServerSocket(0, 50, loopback);
        udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
        daemon(this::acceptAll, "guest tcp echo");
        daemon(this::echoDatagrams, "guest udp echo");
    }

    /** Where the guest's ports are: every TCP port is the echo, every UDP port the datagram echo. */
    TargetResolver targets() {
        return (protocol, guestPort) -> protocol == Protocol.TCP
                ? new InetSocketAddress("127.0.0.1", tcp.getLocalPort())
                : new InetSocketAddress("127.0.0.1", udp.getLocalPort());
    }

    private static void daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void acceptAll() {
        while (!tcp.isClosed()) {
            try {
                Socket socket = tcp.accept();
                tcpConnections.incrementAndGet();
                daemon(() -> echo(socket), "guest tcp echo connection");
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // the connection was cut: what several tests do
        }
    }

    private void echoDatagrams() {
        byte[] buffer = new byte[65507];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                datagrams.incrementAndGet();
                udp.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
    }
}
