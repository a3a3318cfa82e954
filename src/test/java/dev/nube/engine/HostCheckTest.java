package dev.nube.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.qemu.QemuHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nube --check}: the engine's verdicts on this machine (real QEMU and bubblewrap), found without touching a real
 * data folder.
 */
@Tag("vm")
@Tag("sandbox")
class HostCheckTest {
    @TempDir
    Path cache;

    @Test
    void thisMachineRunsInstancesAndFunctions() throws Exception {
        List<Path> before = checkFolders();
        HostCheck.Report report = HostCheck.run(cache);

        assertTrue(report.ready(), report.text());
        assertTrue(report.missing().isEmpty(), report.text());
        String text = report.text();
        for (String verdict : List.of("QEMU:", "Accelerator:", "Sandbox:", "Runtimes:")) {
            assertTrue(text.contains(verdict), text);
        }
        assertFalse(text.contains(HostStatus.NOT_CHECKED), text);
        assertTrue(text.contains("Instances can run. Functions can run."), text);
        assertEquals(before, checkFolders(), "the temporary data folder is deleted");
    }

    @Test
    void withoutQemuInstancesCannotRunAndTheCheckSaysWhy() throws Exception {
        QemuHost missing = new QemuHost("/nonexistent/qemu-system-x86_64", Path.of("/dev/null/kvm"));
        HostCheck.Report report = HostCheck.run(cache, missing);

        assertFalse(report.instancesCanRun(), report.text());
        assertFalse(report.ready());
        assertTrue(report.missing().stream().anyMatch(m -> m.contains("qemu-system-x86")), report.text());
        assertTrue(report.text().contains("Instances cannot run."), report.text());
    }

    private static List<Path> checkFolders() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("nube-check-")).sorted().toList();
        }
    }
}
