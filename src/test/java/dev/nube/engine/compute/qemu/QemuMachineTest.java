package dev.nube.engine.compute.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuMachineTest {
    @Test
    void readsTheForwardedSshPortFromInfoUsernet() {
        String usernet = "Hub -1 (net0):\r\n  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ"
                + "\r\n  TCP[HOST_FORWARD]  15       127.0.0.1 43295    169.254.0.15    22     0     0\r\n";
        assertEquals(43295, QemuMachine.sshPort(usernet));
        assertEquals(0, QemuMachine.sshPort("Hub -1 (net0):\r\n"));
    }

    @Test
    void theGuestNetworkIsRestrictedAndQemuDaemonized() {
        Path d = Path.of("/x");
        List<String> command = QemuMachine.command(new QemuMachine.Spec(QemuMachine.BINARY,
                "i-0123456789abcdef0", Accelerator.tcg("test"), 1, 512, d.resolve("k"), d.resolve("i"), null,
                d.resolve("r"), d.resolve("q"), d.resolve("s"), d.resolve("c"), d.resolve("p"), d.resolve("m.sock"), 0, d.resolve("v.sock"), "02:00:00:00:00:01", List.of(), null));
        String netdev = command.get(command.indexOf("-netdev") + 1);
        assertEquals("type=1,uuid=ec201234-5678-9abc-def0-000000000000,serial=ec201234-5678-9abc-def0-000000000000",
                command.get(command.indexOf("-smbios") + 1), "as EC2's, the system UUID starts with ec2");
        assertEquals(QemuMachine.kernelCommandLine(), command.get(command.indexOf("-append") + 1));
        assertTrue(netdev.contains("restrict=on"), netdev);
        assertTrue(netdev.contains("hostfwd=tcp:127.0.0.1:0-:22"), netdev);
        assertTrue(netdev.contains("guestfwd=tcp:169.254.169.254:80-cmd:"), netdev);
        assertTrue(netdev.endsWith("-cmd:/bin/nc.openbsd -U '/x/m.sock'"), netdev);
        assertFalse(netdev.contains("127.0.0.1 "), "no relay to a loopback port: " + netdev);
        assertTrue(command.contains("-daemonize") && command.contains("-pidfile"));
        assertTrue(command.contains("stream,id=vpc0,server=on,addr.type=unix,addr.path=/x/v.sock"), "" + command);
        assertTrue(command.contains("virtio-net-pci,netdev=vpc0,mac=02:00:00:00:00:01"), "" + command);
        assertTrue(command.indexOf("virtio-net-pci,netdev=net0") < command.indexOf("stream,id=vpc0,server=on,"
                + "addr.type=unix,addr.path=/x/v.sock"), "the link-local NIC comes first (eth0)");
        assertEquals("nube-i-0123456789abcdef0", command.get(command.indexOf("-name") + 1));
    }

    @Test
    void aSavedAndARestoredGuestHaveTheSameMachineAndDevices() {
        Path d = Path.of("/x");
        QemuMachine.Restorable saved = new QemuMachine.Restorable("pc-i440fx-7.2", null, d.resolve("w1.sock"));
        QemuMachine.Restorable loaded = new QemuMachine.Restorable("pc-i440fx-7.2", Path.of("/t/it's/state"),
                d.resolve("w,2.sock"));
        List<String> template = QemuMachine.command(new QemuMachine.Spec(QemuMachine.BINARY, "tmpl-0123456789ab",
                Accelerator.tcg("test"), 1, 512, d.resolve("k"), d.resolve("i"), "console=ttyS0 nube.template=1",
                d.resolve("r"), d.resolve("q"), d.resolve("s"), d.resolve("c"), d.resolve("p"), d.resolve("m.sock"),
                0, d.resolve("v.sock"), "02:00:00:00:00:01", List.of(), null, saved));
        List<String> restore = QemuMachine.command(new QemuMachine.Spec(QemuMachine.BINARY, "i-0123456789abcdef0",
                Accelerator.tcg("test"), 1, 512, d.resolve("k"), d.resolve("i"), "console=ttyS0 nube.template=1",
                d.resolve("r2"), d.resolve("q"), d.resolve("s"), d.resolve("c"), d.resolve("p"), d.resolve("m.sock"),
                0, d.resolve("v.sock"), "02:aa:bb:cc:dd:ee", List.of(), null, loaded));
        assertEquals("pc-i440fx-7.2,accel=tcg", template.get(template.indexOf("-machine") + 1),
                "a versioned machine type, never the alias pc");
        assertTrue(template.contains("vmgenid,guid=auto") && restore.contains("vmgenid,guid=auto"));
        assertFalse(template.contains("-incoming"));
        assertEquals("exec:cat '/t/it'\\''s/state'", restore.get(restore.indexOf("-incoming") + 1));
        assertEquals(devices(template), devices(restore), "the same devices in the same order");
        assertEquals(List.of("chardev:serial0", "chardev:wake0"), serials(restore), "the wake port is ttyS1");
        assertTrue(restore.contains("socket,id=wake0,path=/x/w,,2.sock,server=on,wait=off"), "" + restore);
        assertTrue(template.contains("socket,id=wake0,path=/x/w1.sock,server=on,wait=off"), "" + template);
    }

    private static List<String> serials(List<String> command) {
        List<String> serials = new java.util.ArrayList<>();
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).equals("-serial")) {
                serials.add(command.get(i + 1));
            }
        }
        return serials;
    }

    private static List<String> devices(List<String> command) {
        List<String> devices = new java.util.ArrayList<>();
        for (int i = 0; i < command.size() - 1; i++) {
            if (command.get(i).equals("-device") || command.get(i).equals("-serial")) {
                devices.add(command.get(i + 1).replaceAll(",mac=[0-9a-f:]+", "").replaceAll(",serial=[a-z0-9]+", ""));
            }
        }
        return devices;
    }

    @Test
    void thePcAliasIsReadFromQemusMachineList() {
        assertEquals("pc-i440fx-7.2", QemuHost.pcAliasTarget("Supported machines are:\n"
                + "microvm              microvm (i386)\n"
                + "pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)\n"
                + "pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)\n"
                + "q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)\n"));
        assertEquals(null, QemuHost.pcAliasTarget("q35   Standard PC (alias of pc-q35-7.2)\n"));
    }

    @Test
    void commasInPathsAreDoubledInsideOptionsAndLeftAloneInWholeArguments() {
        Path d = Path.of("/data/a,b/i-0123456789abcdef0");
        List<String> command = QemuMachine.command(new QemuMachine.Spec(QemuMachine.BINARY,
                "i-0123456789abcdef0", Accelerator.tcg("test"), 1, 512, d.resolve("k"), d.resolve("i"), "root=/dev/vda rw",
                d.resolve("r"), d.resolve("q"), d.resolve("s"), d.resolve("c"), d.resolve("p"), d.resolve("m.sock"), 0, d.resolve("v.sock"), "02:00:00:00:00:01", List.of(), null));
        assertEquals("root=/dev/vda rw", command.get(command.indexOf("-append") + 1), "the image's own command line");
        String drive = command.get(command.indexOf("-drive") + 1);
        assertTrue(drive.startsWith("file=/data/a,,b/i-0123456789abcdef0/r,if=none,id=root"), drive);
        List<String> chardevs = new java.util.ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).equals("-chardev")) {
                chardevs.add(command.get(i + 1));
            }
        }
        assertTrue(chardevs.stream().anyMatch(c -> c.contains("path=/data/a,,b/i-0123456789abcdef0/s,")
                && c.contains("logfile=/data/a,,b/i-0123456789abcdef0/c,")), chardevs.toString());
        assertTrue(chardevs.stream().anyMatch(c -> c.contains("path=/data/a,,b/i-0123456789abcdef0/q,")),
                chardevs.toString());
        assertFalse(String.join(" ", command).contains("a,b/i-0123456789abcdef0/q"), "the QMP path is escaped too");
        assertEquals("/data/a,b/i-0123456789abcdef0/k", command.get(command.indexOf("-kernel") + 1));
        assertEquals("/data/a,b/i-0123456789abcdef0/p", command.get(command.indexOf("-pidfile") + 1));
        String netdev = command.get(command.indexOf("-netdev") + 1);
        assertTrue(netdev.endsWith("-U '/data/a,,b/i-0123456789abcdef0/m.sock'"), netdev);
    }

    @Test
    void aGuestThatBootsFromItsDiskGetsNoKernelAndUefiGetsOvmfWithItsOwnVariables() {
        Path d = Path.of("/data/a,b/i-0123456789abcdef0");
        QemuMachine.Spec bios = new QemuMachine.Spec(QemuMachine.BINARY, "i-0123456789abcdef0",
                Accelerator.tcg("test"), 1, 512, null, null, null, d.resolve("r"), d.resolve("q"), d.resolve("s"),
                d.resolve("c"), d.resolve("p"), d.resolve("m.sock"), 0, d.resolve("v.sock"), "02:00:00:00:00:01",
                List.of(new QemuMachine.DataDisk("vol-0123456789abcdef1", d.resolve("data"))), null);
        List<String> command = QemuMachine.command(bios);
        for (String option : List.of("-kernel", "-initrd", "-append", "-bios")) {
            assertFalse(command.contains(option), option + " in " + command);
        }
        assertFalse(String.join(" ", command).contains("pflash"), "SeaBIOS, QEMU's default: " + command);
        String rootDevice = command.stream().filter(a -> a.startsWith("virtio-blk-pci,drive=root,")).findFirst()
                .orElseThrow();
        assertTrue(rootDevice.endsWith(",bootindex=0"), "the firmware boots the root disk first: " + rootDevice);
        assertEquals(1, command.stream().filter(a -> a.contains("bootindex")).count(), "only the root disk boots");

        QemuMachine.Spec uefi = new QemuMachine.Spec(QemuMachine.BINARY, "i-0123456789abcdef0",
                Accelerator.tcg("test"), 1, 512, null, null, null, d.resolve("r"), d.resolve("q"), d.resolve("s"),
                d.resolve("c"), d.resolve("p"), d.resolve("m.sock"), 0, d.resolve("v.sock"), "02:00:00:00:00:01",
                List.of(), new QemuMachine.UefiFirmware(Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"), d.resolve("vars")));
        command = QemuMachine.command(uefi);
        assertTrue(command.contains("if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"),
                "" + command);
        assertTrue(command.contains("if=pflash,format=raw,unit=1,file=/data/a,,b/i-0123456789abcdef0/vars"),
                "" + command);
        assertFalse(command.contains("-kernel"));
        String root = command.stream().filter(a -> a.contains("id=root")).findFirst().orElseThrow();
        assertTrue(root.startsWith("file=/data/a,,b/i-0123456789abcdef0/r,"), root);
    }

    @Test
    void theRelayCommandQuotesThePathAsAShellWould() {
        assertEquals("/bin/nc.openbsd -U '/a b/it'\\''s/m.sock'",
                QemuMachine.relayCommand(Path.of("/a b/it's/m.sock")));
    }

    @Test
    void theKvmProbeFirmwareHasItsCodeAtTheResetVector() {
        byte[] firmware = KvmProbes.firmware();
        assertEquals(64 * 1024, firmware.length);
        assertEquals((byte) 0xe9, firmware[0xfff0], "a jump at the reset vector");
        int target = 0xfff3 + (short) ((firmware[0xfff1] & 0xff) | (firmware[0xfff2] & 0xff) << 8);
        assertEquals(0xf000, target);
        assertEquals((byte) 0xb0, firmware[target]);
        assertEquals('~', firmware[target + 1]);
    }
}
