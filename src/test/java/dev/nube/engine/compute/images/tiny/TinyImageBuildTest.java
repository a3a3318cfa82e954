package dev.nube.engine.compute.images.tiny;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.images.ImagePackage;
import dev.nube.engine.compute.qemu.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny image built once as on a fresh machine: nothing in Nube's cache and no apt archive to copy from, so every
 * package is fetched with {@code apt-get download}. Needs apt's package lists to be current ({@code apt-get update})
 * and the Debian mirror reachable; downloads about 75 MB.
 */
@Tag("vm")
@Tag("slow")
class TinyImageBuildTest {
    @TempDir
    Path dir;

    @Test
    void aBuildFromAnEmptyCacheHoldsAptsCandidates() throws Exception {
        String meta = Commands.check(List.of("apt-cache", "show", "--no-all-versions", "linux-image-amd64"), null,
                Duration.ofMinutes(1));
        Matcher kernel = Pattern.compile("(?m)^Depends:.*?\\b(linux-image-6\\.[^ ,(]+)").matcher(meta);
        assertTrue(kernel.find(), "linux-image-amd64's candidate depends on no linux-image-6.*:\n" + meta);
        String kernelPackage = kernel.group(1);
        assertTrue(TinyImageBuilder.USERLAND.contains("libuuid1"), "the last package asked about");
        List<String> names = new ArrayList<>(TinyImageBuilder.USERLAND);
        names.add(kernelPackage);
        List<String> command = new ArrayList<>(List.of("apt-cache", "show", "--no-all-versions"));
        command.addAll(names);
        Map<String, Map<String, String>> candidates = DebianPackages.parseRecords(Commands.check(command, null,
                Duration.ofMinutes(1)));

        Path target = Files.createDirectories(dir.resolve("image"));
        List<String> steps = new ArrayList<>();
        long start = System.nanoTime();
        TinyImageBuilder.Built built = new TinyImageBuilder(dir.resolve("empty cache"), List.of()).build(target,
                (fraction, step) -> {
                    steps.add(step);
                    System.out.printf("%6.1f s  %s%n", (System.nanoTime() - start) / 1e9, step);
                });

        Map<String, String> manifest = new TreeMap<>();
        for (ImagePackage p : built.packages()) {
            manifest.put(p.name(), p.version());
        }
        assertTrue(manifest.containsKey(kernelPackage), "the kernel linux-image-amd64 depends on, not another: "
                + manifest);
        for (String name : names) {
            Map<String, String> candidate = candidates.get(name);
            assertNotNull(candidate, "apt knows " + name);
            assertEquals(candidate.get("Version"), manifest.get(name), name + " at apt's candidate version");
        }
        assertEquals(names.size(), manifest.size(), manifest.toString());
        assertTrue(built.cachedWithoutApt().isEmpty(), "apt has lists here: " + built.cachedWithoutApt());
        assertTrue(steps.stream().anyMatch(s -> s.equals("Fetching libuuid1")), steps.toString());
        for (String file : List.of(TinyImageBuilder.KERNEL, TinyImageBuilder.INITRD, TinyImageBuilder.DISK)) {
            assertTrue(Files.isRegularFile(target.resolve(file)) && Files.size(target.resolve(file)) > 0, file);
        }
    }
}
