package dev.nube.engine.compute.network.addresses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortMappingTest {
    @ParameterizedTest
    @CsvSource({
            // root, first unprivileged port, guest port, host port
            "false, 1024, 22, 10022",
            "false, 1024, 80, 10080",
            "false, 1024, 1023, 11023",
            "false, 1024, 1024, 1024",
            "false, 1024, 8080, 8080",
            "false, 80, 22, 10022",
            "false, 80, 80, 80",
            "false, 80, 443, 443",
            "false, 0, 22, 22",
            "false, 4096, 2000, 2000",
            "true, 1024, 22, 22",
            "true, 1024, 80, 80"})
    void aPortKeepsItsNumberWhenItCanBeBoundElsePrivilegedOnesMoveBy10000(boolean root, int start, int guestPort,
                                                                         int hostPort) {
        PortMapping mapping = new PortMapping(root, start);
        assertEquals(hostPort, mapping.hostPort(guestPort));
        assertEquals(hostPort != guestPort, mapping.moves(guestPort));
    }

    @Test
    void portsOutsideTheRangeAreRefused() {
        PortMapping mapping = new PortMapping(false, 1024);
        assertThrows(IllegalArgumentException.class, () -> mapping.hostPort(0));
        assertThrows(IllegalArgumentException.class, () -> mapping.hostPort(65536));
    }

    @Test
    void showsWhereToConnectAndWhichGuestPortItReaches() {
        assertEquals("127.100.0.7:10022 -> 22",
                PortMapping.describe(AddressPool.parseAddress("127.100.0.7"), 10022, 22));
    }

    @Test
    void readsTheKernelsFirstUnprivilegedPort(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ip_unprivileged_port_start");
        Files.writeString(file, "80\n");
        assertEquals(80, PortMapping.readUnprivilegedStart(file));
        assertEquals(1024, PortMapping.readUnprivilegedStart(dir.resolve("missing")), "the kernel's default");
        PortMapping here = PortMapping.ofThisProcess();
        assertTrue(here.unprivilegedPortStart() >= 0);
        assertFalse(here.moves(8080));
    }
}
