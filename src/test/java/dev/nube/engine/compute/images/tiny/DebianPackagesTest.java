package dev.nube.engine.compute.images.tiny;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reading {@code apt-cache show --no-all-versions} output, as apt prints it: every record, the last one included, is
 * found. No apt needed.
 */
class DebianPackagesTest {
    private static final String KERNEL_META = """
            Package: linux-image-amd64
            Source: linux-signed-amd64 (6.1.192+3)
            Version: 6.1.192-3
            Architecture: amd64
            Depends: linux-image-6.1.0-57-amd64 (= 6.1.192-3)
            Description: Linux for 64-bit PCs (meta-package)
            SHA256: 4bf758c7753f48c545ecc23a3a56438f0b0acdf4d32c3ce8d4ec72361c1171bb

            """;
    private static final String LIBUUID = """
            Package: libuuid1
            Source: util-linux
            Version: 2.38.1-5+deb12u3
            Architecture: amd64
            Depends: libc6 (>= 2.25)
            Description: Universally Unique ID library
             The libuuid library generates and parses 128-bit Universally Unique IDs.
             .
             See RFC 4122 for more information.
            Multi-Arch: same
            SHA256: 5fff398321da62d28a842bcbabd193d72ae21724962c029dc32b1dc6b2deaeaf

            """;
    private static final String ZLIB = """
            Package: zlib1g
            Version: 1:1.2.13.dfsg-1
            Architecture: amd64
            SHA256: d7dd1d1411fedf27f5e27650a6eff20ef294077b568f4c8c5e51466dc7c08ce4

            """;

    @Test
    void theOnlyRecordIsFound() {
        Map<String, Map<String, String>> records = DebianPackages.parseRecords(KERNEL_META);
        assertEquals(List.of("linux-image-amd64"), List.copyOf(records.keySet()));
        Map<String, String> fields = records.get("linux-image-amd64");
        assertEquals("6.1.192-3", fields.get("Version"));
        assertEquals("linux-image-6.1.0-57-amd64 (= 6.1.192-3)", fields.get("Depends"));
        assertEquals("4bf758c7753f48c545ecc23a3a56438f0b0acdf4d32c3ce8d4ec72361c1171bb", fields.get("SHA256"));
    }

    @Test
    void theLastRecordNeedsNoBlankLineAfterIt() {
        for (String text : List.of(KERNEL_META.strip(), KERNEL_META.strip() + "\n", KERNEL_META + "\n\n")) {
            assertEquals("6.1.192-3", DebianPackages.parseRecords(text).get("linux-image-amd64").get("Version"));
        }
    }

    @Test
    void everyOneOfSeveralRecordsIsFoundInOrder() {
        Map<String, Map<String, String>> records = DebianPackages.parseRecords(KERNEL_META + LIBUUID + ZLIB);
        assertEquals(List.of("linux-image-amd64", "libuuid1", "zlib1g"), List.copyOf(records.keySet()));
        assertEquals("1:1.2.13.dfsg-1", records.get("zlib1g").get("Version"));
        assertEquals("2.38.1-5+deb12u3", records.get("libuuid1").get("Version"));
    }

    @Test
    void aNameAptDoesNotKnowHasNoRecordAndTheOthersStay() {
        // apt-cache show linux-image-amd64 no-such-package libuuid1 prints two records and exits 0.
        Map<String, Map<String, String>> records = DebianPackages.parseRecords(KERNEL_META + LIBUUID);
        assertNull(records.get("no-such-package"));
        assertEquals(2, records.size());
        // Asked about unknown names only, it prints just its error (stderr comes with stdout) and exits 100.
        assertTrue(DebianPackages.parseRecords("E: No packages found\n").isEmpty());
        assertTrue(DebianPackages.parseRecords("").isEmpty());
    }

    @Test
    void continuationLinesBelongToTheirFieldAndBreakNothing() {
        Map<String, Map<String, String>> records = DebianPackages.parseRecords(LIBUUID + ZLIB);
        Map<String, String> uuid = records.get("libuuid1");
        assertEquals("Universally Unique ID library\n"
                + "The libuuid library generates and parses 128-bit Universally Unique IDs.\n"
                + ".\n"
                + "See RFC 4122 for more information.", uuid.get("Description"));
        assertEquals("same", uuid.get("Multi-Arch"), "the field after a continued one");
        assertEquals("5fff398321da62d28a842bcbabd193d72ae21724962c029dc32b1dc6b2deaeaf", uuid.get("SHA256"));
        assertEquals(List.of("libuuid1", "zlib1g"), List.copyOf(records.keySet()));

        String continuedLast = "Package: busybox-static\nVersion: 1:1.35.0-4+deb12u1+b1\nDescription: Standalone"
                + " rescue shell\n busybox combines tiny versions of many common UNIX utilities\n"
                + "\tinto a single binary.";
        Map<String, String> busybox = DebianPackages.parseRecords(continuedLast).get("busybox-static");
        assertEquals("Standalone rescue shell\nbusybox combines tiny versions of many common UNIX utilities\n"
                + "into a single binary.", busybox.get("Description"));
    }

    @Test
    void theFirstRecordOfANameCounts() {
        String twoArchitectures = LIBUUID + LIBUUID.replace("Architecture: amd64", "Architecture: i386");
        assertEquals("amd64", DebianPackages.parseRecords(twoArchitectures).get("libuuid1").get("Architecture"));
    }

    @Test
    void textThatIsNotAptRecordsIsRefusedWithTheLine() {
        IllegalArgumentException notAField = assertThrows(IllegalArgumentException.class,
                () -> DebianPackages.parseRecords("Package: zlib1g\nthis is not a field\n"));
        assertTrue(notAField.getMessage().contains("line 2") && notAField.getMessage().contains("this is not a field"),
                notAField.getMessage());
        IllegalArgumentException continuesNothing = assertThrows(IllegalArgumentException.class,
                () -> DebianPackages.parseRecords(" stray continuation\nPackage: zlib1g\n"));
        assertTrue(continuesNothing.getMessage().contains("line 1"), continuesNothing.getMessage());
        IllegalArgumentException noPackage = assertThrows(IllegalArgumentException.class,
                () -> DebianPackages.parseRecords("Version: 1.0\n\n"));
        assertTrue(noPackage.getMessage().contains("no Package field"), noPackage.getMessage());
    }
}
