package dev.nube.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files and folders made through {@link PrivateFiles} are their owner's only whatever the umask, and a loose tree is
 * made so by {@link PrivateFiles#tighten} without following links. The JVM's umask is the one it was started with (a
 * test cannot change it): these tests need one that lets group and other bits through, as the usual 022 does, else
 * they would pass whatever the code did.
 */
class PrivateFilesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void umaskLetsOthersIn() throws Exception {
        Path probe = Files.createFile(dir.resolve("umask-probe"));
        assumeTrue(!mode(probe).equals("rw-------"), "the umask must let group or other bits through (022 does)");
        Files.delete(probe);
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void whatItMakesIsTheOwnersOnly() throws Exception {
        Path deep = PrivateFiles.createDirectories(dir.resolve("a/b/c"));
        assertEquals("rwx------", mode(dir.resolve("a")), "missing parents too");
        assertEquals("rwx------", mode(dir.resolve("a/b")));
        assertEquals("rwx------", mode(deep));
        assertEquals("rwx------", mode(PrivateFiles.createDirectory(deep.resolve("d"))));
        assertEquals("rw-------", mode(PrivateFiles.createFile(deep.resolve("created"))));
        assertEquals("rw-------", mode(PrivateFiles.write(deep.resolve("written"), new byte[] {1, 2})));
        try (OutputStream out = PrivateFiles.newOutputStream(deep.resolve("appended"), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            out.write('x');
        }
        PrivateFiles.write(deep.resolve("appended"), "y".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        assertEquals("xy", Files.readString(deep.resolve("appended")));
        assertEquals("rw-------", mode(deep.resolve("appended")));
        try (var channel = PrivateFiles.openChannel(deep.resolve("channel"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            assertEquals("rw-------", mode(deep.resolve("channel")));
        }
        Path open = Files.writeString(dir.resolve("open"), "shared");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals("rwx------", mode(PrivateFiles.copy(open, deep.resolve("copy"))),
                "a copy keeps only the owner's bits");
        PrivateFiles.createFile(deep.resolve("program"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("rwx------", mode(deep.resolve("program")), "asked for 777: the owner's bits only");
        assertEquals("rw-------", mode(PrivateFiles.ensureFile(open.resolveSibling("log"))));
        assertEquals("rwx------", mode(PrivateFiles.ensureFile(open)), "one that was there is restricted");
        assertEquals("shared", Files.readString(open), "and kept");
    }

    @Test
    void atomicWritesAreTheOwnersOnlyEvenWhenAskedForMore() throws Exception {
        AtomicFiles.write(dir.resolve("new/doc.json"), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("rwx------", mode(dir.resolve("new")));
        assertEquals("rw-------", mode(dir.resolve("new/doc.json")));
        AtomicFiles.write(dir.resolve("new/run"), new byte[0], PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals("rwx------", mode(dir.resolve("new/run")));
        Path loose = Files.writeString(dir.resolve("loose.json"), "{}");
        AtomicFiles.write(loose, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals("rw-------", mode(loose), "a document written again is replaced by a private one");
    }

    @Test
    void tighteningMakesATreePrivateOnceWithoutFollowingLinks() throws Exception {
        Path top = Files.createDirectories(dir.resolve("home"));
        Path outside = Files.writeString(dir.resolve("outside.txt"), "not Nube's");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        Path folder = Files.createDirectories(top.resolve("regions/r/functions/f"));
        Path document = Files.writeString(folder.resolve("resource.json"), "{}");
        Path program = Files.writeString(folder.resolve("bootstrap"), "#!/bin/sh");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(folder.resolve("link"), outside);
        Path kept = Files.createDirectories(top.resolve(".build-1/rootfs/tmp"));
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertFalse(PrivateFiles.isChecked(top));

        java.util.function.Predicate<Path> builds = d -> d.getFileName().toString().startsWith(".build-");
        PrivateFiles.Tightened done = PrivateFiles.tighten(top, builds);

        assertTrue(done.topWasOpen());
        assertEquals(java.util.List.of(), done.failures());
        assertEquals(7, done.changed(), "regions, r, functions, f, resource.json, bootstrap, .build-1");
        for (Path p : new Path[] {top, top.resolve("regions"), folder, top.resolve(".build-1")}) {
            assertEquals("rwx------", mode(p), p.toString());
        }
        assertEquals("rw-------", mode(document));
        assertEquals("rwx------", mode(program), "a program stays runnable by its owner");
        assertEquals("rw-r--r--", mode(outside), "a link is not followed");
        assertEquals("rwxrwxrwx", mode(kept), "what a build under way holds is left as it is");
        assertTrue(PrivateFiles.isChecked(top));
        assertEquals("rw-------", mode(top.resolve(PrivateFiles.CHECKED_MARKER)));

        assertFalse(PrivateFiles.tighten(top, builds).changedAnything(), "nothing left to change");
        Files.setPosixFilePermissions(top, PosixFilePermissions.fromString("rwxr-x---"));
        assertFalse(PrivateFiles.isChecked(top), "a top folder opened again is checked again");
    }
}
