package dev.nube.engine.compute.images.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nube.engine.compute.network.addresses.PortMapping;

import dev.nube.engine.compute.images.ImagePackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianImageBuilderTest {
    @TempDir
    Path dir;

    @Test
    void dpkgsDatabaseGivesTheInstalledPackagesByName() {
        String status = """
                Package: sudo
                Status: install ok installed
                Priority: optional
                Version: 1.9.13p3-1+deb12u4
                Description: Provide limited super user privileges
                 a continuation line: Version: 0

                Package: apt
                Status: install ok installed
                Version: 2.6.1

                Package: removed-one
                Status: deinstall ok config-files
                Version: 1.0
                """;
        assertEquals(List.of(new ImagePackage("apt", "2.6.1", ""), new ImagePackage("sudo", "1.9.13p3-1+deb12u4", "")),
                DpkgStatus.parse(status));
    }

    @Test
    void eachPackageGetsTheChecksumOfItsDeb() throws Exception {
        Path sums = dir.resolve("sums");
        Files.writeString(sums, "0a1b  apt_2.6.1_amd64.deb\nff00  libc6_2.36-9+deb12u14_amd64.deb\n");
        assertEquals(List.of(new ImagePackage("apt", "2.6.1", "0a1b"), new ImagePackage("base-files", "12.4", "")),
                DpkgStatus.withChecksums(List.of(new ImagePackage("apt", "2.6.1", ""),
                        new ImagePackage("base-files", "12.4", "")), sums));
    }

    @Test
    void theManifestReadsBackAsWritten() throws Exception {
        List<ImagePackage> packages = List.of(new ImagePackage("apt", "2.6.1", "0a1b"),
                new ImagePackage("cloud-init", "22.4.2-1+deb12u4", ""));
        Path file = dir.resolve("manifest");
        Files.writeString(file, DebianImageBuilder.manifestText(packages));
        assertEquals(packages, DebianImageBuilder.readManifest(file));
    }

    @Test
    void mmdebstrapsLinesBecomeSteps() {
        assertEquals("Downloading packages", DebianImageBuilder.phase("I: downloading packages with apt..."));
        assertEquals("Installing systemd, the kernel, OpenSSH and cloud-init",
                DebianImageBuilder.phase("I: installing remaining packages inside the chroot..."));
        assertNull(DebianImageBuilder.phase("Get:1 http://deb.debian.org/debian bookworm InRelease"));
    }

    @Test
    void aFailureIsToldByAptsErrorsOrTheLastLine() {
        ArrayDeque<String> lines = new ArrayDeque<>(List.of("I: running apt-get update...",
                "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Could not resolve host",
                "E: apt-get update --error-on=any -oAPT::Status-Fd=<$fd> -oDpkg::Use-Pty=false failed"));
        assertEquals("Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Could not resolve host;"
                + " apt-get update --error-on=any -oAPT::Status-Fd=<$fd> -oDpkg::Use-Pty=false failed",
                DebianImageBuilder.reason(lines));
        assertEquals("mmdebstrap: something odd", DebianImageBuilder.reason(new ArrayDeque<>(List.of("I: x",
                "mmdebstrap: something odd"))));
    }

    /**
     * As an ordinary user (made as packaging/check-deb makes one: {@code useradd -m}, which gives it subordinate ids
     * as a desktop user has them), the build gives the system's files their real owners and modes. Run as root;
     * run as an ordinary user, the suite's own Debian build (DebianImageVmTest) is already this.
     */
    @Test
    @Tag("vm")
    void anOrdinaryUserBuildsTheSystemWithItsOwners() throws Exception {
        assumeTrue(PortMapping.isRoot(), "run as an ordinary user, every build is this one");
        String user = "nube-check";
        if (new ProcessBuilder("id", user).start().waitFor() != 0) {
            assertEquals(0, new ProcessBuilder("useradd", "-m", "-s", "/bin/bash", user).inheritIO().start().waitFor());
        }
        // The user's own folder for the build, and Nube's classes where the user can read them.
        Path mine = Files.createDirectories(dir.resolve("user"));
        for (String tree : List.of("classes", "test-classes")) {
            Path from = Path.of(DebianImageBuilder.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getParent().resolve(tree);
            run(List.of("cp", "-r", from.toString(), mine.resolve(tree).toString()));
        }
        run(List.of("chown", "-R", user + ":", mine.toString()));
        for (Path p = mine; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            if (p.equals(mine) || !Files.getOwner(p).getName().equals(user)) {
                run(List.of("chmod", "o+x", p.toString()));
            }
        }
        Process build = new ProcessBuilder("su", "-s", "/bin/sh", user, "-c", "cd " + mine + " && "
                + Path.of(System.getProperty("java.home"), "bin", "java") + " -cp classes:test-classes "
                + BuildDebianImage.class.getName() + " cache image").redirectErrorStream(true).start();
        String out = new String(build.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, build.waitFor(), out);
        assertTrue(out.contains("built "), out);
        Path raw = dir.resolve("disk.raw");
        run(List.of("qemu-img", "convert", "-O", "raw", mine.resolve("image/disk.qcow2").toString(), raw.toString()));
        String sudo = run(List.of("debugfs", "-R", "stat /usr/bin/sudo", raw.toString()));
        assertTrue(sudo.contains("Mode:  04755") && sudo.matches("(?s).*User:\\s+0\\s+Group:\\s+0\\s.*"), sudo);
        String mail = run(List.of("debugfs", "-R", "ls -l /var/mail", raw.toString()));
        assertTrue(mail.matches("(?s).*42775 \\(2\\)\\s+0\\s+8\\s.*"), () -> "group mail, setgid: " + mail);
        try (var left = Files.list(mine.resolve("cache/images"))) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), names::toString);
            assertTrue(names.get(0).startsWith("debian-12-") && names.get(1).equals("debian-build.log"),
                    names::toString);
        }
        run(List.of("rm", "-rf", mine.toString()));
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> command + ": " + out);
        return out;
    }

    /** A build cancelled while mmdebstrap downloads leaves nothing: no process, no work folder, no cached build. */
    @Test
    @Tag("vm")
    void aCancelledBuildLeavesNothing() throws Exception {
        Path cache = dir.resolve("cache");
        Path target = Files.createDirectory(dir.resolve("image"));
        List<Path> temporaryBefore = temporaryFolders();
        CountDownLatch installing = new CountDownLatch(1);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread build = new Thread(() -> {
            try {
                new DebianImageBuilder(cache).build(target, (fraction, step) -> {
                    if (step.startsWith("Downloading packages") || step.startsWith("Unpacking")) {
                        installing.countDown();
                    }
                });
            } catch (Throwable e) {
                outcome.set(e);
            } finally {
                installing.countDown(); // a build that ends before its packages ends the wait too
            }
        });
        build.start();
        assertTrue(installing.await(10, TimeUnit.MINUTES), "mmdebstrap never got to its packages");
        assertNull(outcome.get(), "the build ran until its packages");
        build.interrupt();
        build.join(TimeUnit.MINUTES.toMillis(2));
        assertTrue(!build.isAlive(), "the build stopped");
        assertTrue(outcome.get() instanceof InterruptedException, () -> "cancelled, not " + outcome.get());
        try (var left = Files.list(cache.resolve("images"))) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of("debian-build.log"), names, "only the log of the cancelled build");
        }
        assertEquals(List.of(), ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains(cache.toString())).orElse(false)).map(ProcessHandle::pid).toList(),
                "no tool of the build still runs");
        List<Path> temporaryAfter = new java.util.ArrayList<>(temporaryFolders());
        temporaryAfter.removeAll(temporaryBefore);
        assertEquals(List.of(), temporaryAfter, "mmdebstrap's temporary folders are gone too");
    }

    /** mmdebstrap's temporary folders and Nube's for it, in /tmp and /var/tmp. */
    private static List<Path> temporaryFolders() throws Exception {
        List<Path> found = new java.util.ArrayList<>();
        for (String place : List.of("/tmp", "/var/tmp")) {
            try (var entries = Files.list(Path.of(place))) {
                entries.filter(p -> p.getFileName().toString().startsWith("mmdebstrap.")
                        || p.getFileName().toString().startsWith("nube-mmdebstrap-")).forEach(found::add);
            }
        }
        return found;
    }
}
