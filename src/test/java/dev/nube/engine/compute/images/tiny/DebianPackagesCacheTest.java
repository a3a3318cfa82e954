package dev.nube.engine.compute.images.tiny;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.qemu.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package apt does not know is taken from the cache only on a machine without package lists, and then named; with
 * lists it is an error naming it. Asks the system's apt about names no repository has; builds packages with dpkg-deb.
 */
class DebianPackagesCacheTest {
    @TempDir
    Path dir;
    Path cache;
    Path archive;

    @BeforeEach
    void cachedPackages() throws Exception {
        cache = Files.createDirectories(dir.resolve("debs"));
        archive = Files.createDirectories(dir.resolve("archives"));
        Path older = deb(archive, "nube-test-kernel-6.1.0-1-amd64", "6.1.1-1");
        Path newer = deb(archive, "nube-test-kernel-6.1.0-2-amd64", "6.1.2-1");
        Files.setLastModifiedTime(older, FileTime.from(Instant.now().minusSeconds(3600)));
        Files.setLastModifiedTime(newer, FileTime.from(Instant.now()));
        deb(cache, "nube-test-tool", "1.2-3");
    }

    @Test
    void withoutPackageListsTheNewestCachedFileIsUsedAndNamed() throws Exception {
        DebianPackages apt = new DebianPackages(cache, List.of(archive), Files.createDirectories(dir.resolve("lists")));
        assertEquals("nube-test-kernel-6.1.0-2-amd64",
                apt.resolveMeta("nube-test-kernel-amd64", "nube-test-kernel-6."), "the newest of the two");
        DebianPackages.Fetched kernel = apt.fetch("nube-test-kernel-6.1.0-2-amd64");
        assertEquals("6.1.2-1", kernel.version());
        DebianPackages.Fetched tool = apt.fetch("nube-test-tool");
        assertEquals("1.2-3", tool.version());
        assertEquals(DebianPackages.sha256(tool.file()), tool.sha256());
        List<String> notes = apt.fallbacks();
        assertEquals(3, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("nube-test-kernel-amd64") && notes.get(0).contains("6.1.0-2"), notes.get(0));
        assertTrue(notes.get(1).contains(kernel.file().toString()), notes.get(1));
        assertTrue(notes.get(2).contains(tool.file().toString()), notes.get(2));
    }

    @Test
    void withPackageListsAPackageAptDoesNotKnowIsAnErrorNamingIt() throws Exception {
        Path lists = Files.createDirectories(dir.resolve("lists"));
        Files.writeString(lists.resolve("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"), "");
        DebianPackages apt = new DebianPackages(cache, List.of(archive), lists);
        IOException tool = assertThrows(IOException.class, () -> apt.fetch("nube-test-tool"));
        assertTrue(tool.getMessage().contains("apt does not know the package nube-test-tool"), tool.getMessage());
        IOException meta = assertThrows(IOException.class,
                () -> apt.resolveMeta("nube-test-kernel-amd64", "nube-test-kernel-6."));
        assertTrue(meta.getMessage().contains("nube-test-kernel-amd64"), meta.getMessage());
        assertTrue(apt.fallbacks().isEmpty());
    }

    @Test
    void withoutListsOrACachedFileTheErrorSaysWhatToRun() throws Exception {
        DebianPackages apt = new DebianPackages(cache, List.of(), dir.resolve("no lists folder"));
        IOException e = assertThrows(IOException.class, () -> apt.fetch("nube-test-absent"));
        assertTrue(e.getMessage().contains("apt-get update") && e.getMessage().contains("nube-test-absent"),
                e.getMessage());
    }

    /** A minimal package file {@code NAME_VERSION_amd64.deb} in {@code folder}. */
    private Path deb(Path folder, String name, String version) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree-" + name).resolve("DEBIAN"));
        Files.writeString(tree.resolve("control"), "Package: " + name + "\nVersion: " + version
                + "\nArchitecture: amd64\nMaintainer: Nube tests <tests@nube.invalid>\nDescription: test package\n");
        Path deb = folder.resolve(name + "_" + version + "_amd64.deb");
        Commands.check(List.of("dpkg-deb", "--root-owner-group", "--build", tree.getParent().toString(),
                deb.toString()), dir, Duration.ofMinutes(1));
        return deb;
    }
}
