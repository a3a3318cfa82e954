package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an instance's sockets live, and that nobody else's folder is ever used for them. */
class InstanceFilesTest {
    private static final String ID = "i-0123456789abcdef0";

    @TempDir
    Path dir;

    /** An instance folder deep enough that its sockets must live in the runtime folder. */
    private Path deepFolder() {
        return dir.resolve("d".repeat(100)).resolve("instances").resolve(ID);
    }

    @Test
    void theRuntimeFolderIsXdgsWhenThereIsOne() throws Exception {
        Path xdg = Files.createDirectories(dir.resolve("run-user"));
        assertEquals(xdg.resolve("nube"), InstanceFiles.runtimeFolder(Map.of("XDG_RUNTIME_DIR", xdg.toString()), "u"));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "nube-u"), InstanceFiles.runtimeFolder(Map.of(),
                "u"));
        InstanceFiles shallow = InstanceFiles.of(dir.resolve(ID), xdg.resolve("nube"));
        assertEquals(shallow.folder(), shallow.socketFolder(), "short paths keep their sockets at home");
    }

    @Test
    void aPrivateRuntimeFolderIsMadeAndUsed() throws Exception {
        Path runtime = dir.resolve("nube-me");
        InstanceFiles files = InstanceFiles.of(deepFolder(), runtime);
        assertEquals(runtime.resolve(ID), files.socketFolder());
        files.create();
        files.create(); // again before a start: still fine
        for (Path p : new Path[] {files.folder(), runtime, files.socketFolder()}) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
        }
    }

    @Test
    void aRuntimeFolderAnotherUserMadeFirstIsRefused() throws Exception {
        Path runtime = Files.createDirectory(dir.resolve("nube-me"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        org.junit.jupiter.api.Assumptions.assumeTrue(me == 0, "only root can hand a folder to another user");
        Files.setAttribute(runtime, "unix:uid", 65534);
        IOException e = assertThrows(IOException.class, () -> InstanceFiles.of(deepFolder(), runtime).create());
        assertTrue(e.getMessage().contains("belongs to another user"), e.getMessage());
        assertFalse(Files.exists(runtime.resolve(ID)), "nothing was made in it");
    }

    @Test
    void aRuntimeFolderOpenToOthersIsRefused() throws Exception {
        Path runtime = Files.createDirectory(dir.resolve("nube-me"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> InstanceFiles.of(deepFolder(), runtime).create());
        assertTrue(e.getMessage().contains("open to other users"), e.getMessage());
        Files.delete(runtime);
        Files.createSymbolicLink(runtime, Files.createDirectory(dir.resolve("elsewhere")));
        e = assertThrows(IOException.class, () -> InstanceFiles.of(deepFolder(), runtime).create());
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
    }
}
