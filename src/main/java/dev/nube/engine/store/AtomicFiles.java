package dev.nube.engine.store;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a file so that a crash at any instant leaves either the old content or the new, never a torn mix:
 * the bytes go to a temporary file in the same folder, are forced to disk, and the temporary file is renamed
 * over the target (rename is atomic within one file system); then the folder itself is forced so the rename
 * survives a power cut. Temporary files are named {@code .NAME.UUID.tmp}. Files and the folders made for them are
 * their owner's only ({@link PrivateFiles}).
 *
 * <p>An interrupt does not cut a write short: it is kept for the caller to see afterwards. (A {@link FileChannel}
 * closes itself when its thread is interrupted; were that to happen after the rename, the caller would take a write
 * that took effect for one that failed, and undo work that was complete.)
 */
public final class AtomicFiles {
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, content, null);
    }

    /**
     * As {@link #write(Path, byte[])}, with POSIX permissions set on the file from its creation on: {@code permissions}
     * less any bit for the group or others, or mode 600 when null.
     */
    public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        PrivateFiles.createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            PrivateFiles.createFile(temp, permissions == null ? PrivateFiles.FILE : permissions);
            try (FileOutputStream out = new FileOutputStream(temp.toFile())) { // a stream: not closed by an interrupt
                out.write(content);
                out.getFD().sync();
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system under " + dir + " cannot rename atomically", e);
            }
            forceDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary file clash at " + temp, e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Makes a rename or a new entry in {@code dir} durable. */
    public static void forceDirectory(Path dir) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
                    channel.force(true);
                    return;
                } catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted(); // interrupted while forcing: force again, then say so
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }
}
