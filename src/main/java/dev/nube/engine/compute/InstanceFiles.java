package dev.nube.engine.compute;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * The files of one instance in its folder: root volume, QEMU's pid file, QMP and serial console sockets, the serial
 * log, QEMU's own messages, user data and the engine's log of what it did to the instance. Unix socket paths are
 * limited to 107 bytes; when the folder is too deep, the sockets live in a private folder under /tmp instead.
 */
record InstanceFiles(Path folder, Path socketFolder) {
    static final String DOCUMENT = "resource.json";
    private static final int MAX_SOCKET_PATH = 100;

    static InstanceFiles of(Path folder) {
        Path sockets = folder;
        if (folder.resolve("metadata.sock").toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            sockets = Path.of(System.getProperty("java.io.tmpdir"), "nube-" + System.getProperty("user.name"),
                    folder.getFileName().toString());
        }
        return new InstanceFiles(folder, sockets);
    }

    Path rootDisk() {
        return folder.resolve("root.qcow2");
    }

    Path pidFile() {
        return folder.resolve("qemu.pid");
    }

    Path qmpSocket() {
        return socketFolder.resolve("qmp.sock");
    }

    Path serialSocket() {
        return socketFolder.resolve("serial.sock");
    }

    /** Where the instance's metadata service listens; QEMU's relay connects to it for each guest request. */
    Path metadataSocket() {
        return socketFolder.resolve("metadata.sock");
    }

    Path consoleLog() {
        return folder.resolve("console.log");
    }

    Path qemuLog() {
        return folder.resolve("qemu.log");
    }

    Path userData() {
        return folder.resolve("user-data");
    }

    Path engineLog() {
        return folder.resolve("instance.log");
    }

    /**
     * Creates the folders, or checks them again before a start: the instance's folder and its socket folder are
     * private to this user (0700), since they hold user data and the metadata service's socket.
     */
    void create() throws IOException {
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        if (!socketFolder.equals(folder)) {
            Files.createDirectories(socketFolder.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Files.createDirectories(socketFolder, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
    }

    /** Appends a time-stamped line to the instance's log (why the engine forced or repaired something). */
    void log(String line) {
        try {
            Files.writeString(engineLog(), Instant.now() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is a courtesy; the state does not depend on it
        }
    }

    /** Deletes every file of the instance except its document (terminate keeps the document as EC2 does). */
    void deleteAllButDocument() throws IOException {
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
                for (Path p : entries) {
                    if (!p.getFileName().toString().equals(DOCUMENT)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        if (!socketFolder.equals(folder)) {
            Files.deleteIfExists(qmpSocket());
            Files.deleteIfExists(serialSocket());
            Files.deleteIfExists(metadataSocket());
            Files.deleteIfExists(socketFolder);
        }
    }
}
