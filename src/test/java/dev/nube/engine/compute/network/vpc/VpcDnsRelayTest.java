package dev.nube.engine.compute.network.vpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VpcDnsRelayTest {
    @TempDir
    Path dir;

    @Test
    void readsTheHostsNameserversInOrder() throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), """
                # written by a network manager
                search example.org
                nameserver 192.0.2.53
                nameserver fe80::1%eth0
                nameserver   10.0.0.2
                nameserver resolver.example
                options edns0
                """);
        assertEquals(List.of(new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("fe80::1", 53),
                new InetSocketAddress("10.0.0.2", 53)), DnsRelay.resolvers(conf));
        assertEquals(List.of(), DnsRelay.resolvers(dir.resolve("missing")));
    }

    @Test
    void asksTheNextResolverWhenOneIsSilentAndIgnoresWhatIsNotTheAnswer() throws Exception {
        byte[] query = VpcTestFrames.dnsQuery(0x1111, "example.com", 1);
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket answering = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DnsRelay relay = new DnsRelay(List.of((InetSocketAddress) silent.getLocalSocketAddress(),
                     (InetSocketAddress) answering.getLocalSocketAddress()), Duration.ofMillis(300))) {
            CompletableFuture<byte[]> answered = new CompletableFuture<>();
            relay.ask(query, answered::complete);

            DatagramPacket received = new DatagramPacket(new byte[512], 512);
            answering.setSoTimeout(5000);
            answering.receive(received);
            byte[] wrongId = query.clone();
            wrongId[0] = 0x22;
            wrongId[2] = (byte) 0x81;
            answering.send(new DatagramPacket(wrongId, wrongId.length, received.getSocketAddress()));
            byte[] answer = query.clone();
            answer[2] = (byte) 0x81;
            answer[3] = (byte) 0x83;
            answering.send(new DatagramPacket(answer, answer.length, received.getSocketAddress()));
            assertArrayEquals(answer, answered.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void answersNullWhenNoResolverAnswers() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DnsRelay relay = new DnsRelay(List.of((InetSocketAddress) silent.getLocalSocketAddress()),
                     Duration.ofMillis(200))) {
            CompletableFuture<byte[]> answered = new CompletableFuture<>();
            relay.ask(VpcTestFrames.dnsQuery(1, "example.com", 1), answered::complete);
            assertNull(answered.get(5, TimeUnit.SECONDS));
        }
    }
}
