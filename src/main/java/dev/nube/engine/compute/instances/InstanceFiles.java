package dev.nube.engine.compute.instances;

import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * The files of one instance in its folder: root volume, UEFI variables (if it boots by UEFI), QEMU's pid file, QMP
 * and serial console sockets, the serial log, QEMU's own messages, user data and the engine's log of what it did to
 * the instance. Unix socket paths are limited to 107 bytes; when the folder is too deep, the sockets live in a
 * private runtime folder instead
 * ({@code $XDG_RUNTIME_DIR/nube}, else {@code /tmp/nube-USER}), which must belong to this user with mode 0700: one
 * that another local user made first is refused, never used.
 */
record InstanceFiles(Path folder, Path socketFolder) {
    static final String DOCUMENT = "resource.json";
    private static final int MAX_SOCKET_PATH = 100;
    private static final String PRIVATE = "rwx------";

    static InstanceFiles of(Path folder) {
        return of(folder, runtimeFolder(System.getenv(), System.getProperty("user.name")));
    }

    /** As {@link #of(Path)}, with the sockets under {@code runtime} when the folder is too deep for them. */
    static InstanceFiles of(Path folder, Path runtime) {
        Path sockets = folder;
        if (folder.resolve("metadata.sock").toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            sockets = runtime.resolve(folder.getFileName().toString());
        }
        return new InstanceFiles(folder, sockets);
    }

    /** The private folder for sockets too long for the instance's folder: XDG's runtime folder if there is one. */
    static Path runtimeFolder(java.util.Map<String, String> environment, String user) {
        String xdg = environment.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg, "nube");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "nube-" + user);
    }

    Path rootDisk() {
        return folder.resolve("root.qcow2");
    }

    /**
     * The instance's own copy of OVMF's variable store, for an instance that boots by UEFI: made at its first start,
     * kept across stops and starts (the firmware's boot entries live in it), gone with the instance.
     */
    Path uefiVars() {
        return folder.resolve("uefi-vars.fd");
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

    /** Where the QEMU of a saved or restored guest listens on its second serial port (see QemuMachine.Restorable). */
    Path wakeSocket() {
        return socketFolder.resolve("wake.sock");
    }

    /** Where QEMU listens for the switch of the region's private network (the instance's second NIC). */
    Path vpcSocket() {
        return socketFolder.resolve("vpc.sock");
    }

    /** Where the instance's uplink (passt) listens for the switch: its way to the host's networks. */
    Path uplinkSocket() {
        return socketFolder.resolve("uplink.sock");
    }

    Path uplinkPidFile() {
        return folder.resolve("passt.pid");
    }

    Path uplinkLog() {
        return folder.resolve("passt.log");
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
        PrivateFiles.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString(PRIVATE)); // one made by an earlier build
        if (!socketFolder.equals(folder)) {
            Path runtime = socketFolder.getParent();
            try {
                Files.createDirectory(runtime, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(PRIVATE)));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made earlier, by this user or (in /tmp) by anyone: checked below
            }
            checkPrivate(runtime);
            try {
                Files.createDirectory(socketFolder, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(PRIVATE)));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // from an earlier start
            }
            checkPrivate(socketFolder);
        }
    }

    /** Refuses a folder that is a link, not this user's, or open to others: instance sockets must not be reachable. */
    private static void checkPrivate(Path dir) throws IOException {
        java.nio.file.LinkOption noFollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
        if (!Files.isDirectory(dir, noFollow)) {
            throw new IOException(dir + " is not a folder (a link or a file is there); Nube keeps instance sockets"
                    + " only in a private folder of its own. Remove it and try again.");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", noFollow);
        int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", noFollow) & 0777;
        if (owner != me) {
            throw new IOException(dir + " belongs to another user (uid " + owner + "); Nube will not put instance"
                    + " sockets there. Remove it, set XDG_RUNTIME_DIR, or use a data folder with a shorter path.");
        }
        if ((mode & 0077) != 0) {
            throw new IOException(dir + " is open to other users (mode " + Integer.toOctalString(mode) + "); Nube"
                    + " keeps instance sockets only in a folder with mode 700. Run chmod 700 on it, or remove it.");
        }
    }

    /** Appends a time-stamped line to the instance's log (why the engine forced or repaired something). */
    void log(String line) {
        try {
            PrivateFiles.write(engineLog(), (Instant.now() + " " + line + "\n").getBytes(StandardCharsets.UTF_8),
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
            deleteSockets();
        }
    }

    /** Deletes the sockets, and their folder when it is not the instance's folder. */
    void deleteSockets() throws IOException {
        Files.deleteIfExists(qmpSocket());
        Files.deleteIfExists(serialSocket());
        Files.deleteIfExists(metadataSocket());
        Files.deleteIfExists(vpcSocket());
        Files.deleteIfExists(uplinkSocket());
        Files.deleteIfExists(wakeSocket());
        if (!socketFolder.equals(folder)) {
            Files.deleteIfExists(socketFolder);
        }
    }
}
