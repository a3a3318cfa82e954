package dev.nube.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.qemu.QemuHost;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.store.PrivateFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data folder, a cache and a region placed elsewhere, left open to other users (by an earlier build: folders 755,
 * documents 644), are made readable by their owner only when the engine opens, and the engine's log says so once.
 */
class DataFolderPrivacyTest {
    private static final Logger ENGINE_LOG = Logger.getLogger(Engine.class.getName());
    private static final QemuHost NO_KVM = new QemuHost(QemuHost.SYSTEM.binary(), Path.of("/dev/null/kvm"));

    @TempDir
    Path dir;
    private final List<String> logged = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        ENGINE_LOG.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        ENGINE_LOG.removeHandler(handler);
    }

    private List<String> saidAbout(Path folder) {
        synchronized (logged) {
            return logged.stream().filter(m -> m.contains(" " + folder + " ")).toList();
        }
    }

    @Test
    void openingMakesALooseDataFolderPrivateAndSaysSoOnce() throws Exception {
        Path home = dir.resolve("home");
        Path cache = dir.resolve("cache");
        Path otherDisk = dir.resolve("other-disk/nube");
        Path function;
        try (Engine engine = Engine.open(home, cache, NO_KVM)) {
            engine.regions().create("eu-local-1", otherDisk);
            FunctionConfiguration created = engine.functions().create("local-1",
                    CreateFunctionRequest.of("fn", dev.nube.engine.functions.TestRuntimes.CUSTOM)
                            .withEnvironment(java.util.Map.of("PASSWORD", "hunter2")));
            function = home.resolve("regions/local-1/functions").resolve(created.id());
        }
        Path document = function.resolve("resource.json");
        Path bootstrap = function.resolve("code/bootstrap");
        assertEquals("rw-------", mode(document), "made private from the start");
        assertTrue(saidAbout(home).isEmpty(), "a new data folder is private already: " + logged);

        // As an earlier build left them, with a cached download beside.
        loosen(home);
        Files.createDirectories(cache.resolve("debs"));
        Files.writeString(cache.resolve("debs/busybox.deb"), "package", StandardCharsets.UTF_8);
        loosen(cache);
        loosen(otherDisk);
        assertEquals("rwxr-xr-x", mode(function));
        assertEquals("rw-r--r--", mode(document));

        try (Engine engine = Engine.open(home, cache, NO_KVM)) {
            assertEquals("fn", engine.functions().get("local-1", "fn").name(), "the data is still there");
        }
        assertEquals("rwx------", mode(home));
        assertEquals("rwx------", mode(function));
        assertEquals("rw-------", mode(document));
        assertEquals("rwx------", mode(bootstrap), "a custom runtime's bootstrap stays executable by its owner");
        assertEquals("rwx------", mode(cache));
        assertEquals("rw-------", mode(cache.resolve("debs/busybox.deb")));
        List<String> said = saidAbout(home);
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).startsWith("Made the data folder " + home + " readable by its owner only (it was"
                + " readable by other users; "), said.get(0));
        assertEquals(1, saidAbout(cache).size(), logged.toString());
        assertTrue(saidAbout(cache).get(0).startsWith("Made the cache folder " + cache), logged.toString());
        assertEquals("rwx------", mode(otherDisk), "a region placed elsewhere");
        assertEquals("rw-------", mode(otherDisk.resolve("region.json")));
        assertEquals(1, saidAbout(otherDisk).size(), logged.toString());
        assertTrue(saidAbout(otherDisk).get(0).startsWith("Made the folder of region eu-local-1 " + otherDisk),
                logged.toString());

        try (Engine engine = Engine.open(home, cache, NO_KVM)) {
            assertTrue(PrivateFiles.isChecked(home) && PrivateFiles.isChecked(cache), "marked as checked");
        }
        assertEquals(1, saidAbout(home).size(), "said once: " + logged);
        assertEquals(1, saidAbout(cache).size(), "said once: " + logged);
        assertEquals(1, saidAbout(otherDisk).size(), "said once: " + logged);
    }

    /** Folders 755, files 644 (755 if executable), as the umask 022 made them before. */
    private static void loosen(Path top) throws Exception {
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                boolean executable = Files.isDirectory(p) || mode(p).charAt(2) == 'x';
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x"
                        : "rw-r--r--"));
            }
        }
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
