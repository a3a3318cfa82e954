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
 * survives a power cut. Temporary files are named {@code .NAME.UUID.tmp} ({@link #temporaryFor}). Files and the
 * folders made for them are their owner's only ({@link PrivateFiles}). A killed writer leaves its temporary file
 * behind: the engine removes those with {@link #removeLeftovers} when it opens, only in its own folders of documents,
 * where no name is a person's choice (a function's code is never written through here, so a file a person named
 * that way is never taken for a leftover).
 *
 * <p>An interrupt does not cut a write short: it is kept for the caller to see afterwards. (A {@link FileChannel}
 * closes itself when its thread is interrupted; were that to happen after the rename, the caller would take a write
 * that took effect for one that failed, and undo work that was complete.)
 */
public final class AtomicFiles {
    public static final String TEMP_SUFFIX = ".tmp";
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile(
            "\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");

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
        Path temp = temporaryFor(target.toAbsolutePath());
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

    /** A new name beside {@code target} for its next content while it is written: {@code .NAME.UUID.tmp}. */
    public static Path temporaryFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    }

    /** True for a name {@link #temporaryFor} makes. */
    public static boolean isTemporary(Path file) {
        Path name = file.getFileName();
        return name != null && TEMPORARY.matcher(name.toString()).matches();
    }

    /**
     * Removes the temporary files a killed writer left directly in {@code dir} (not in its subfolders: a caller
     * names each folder of documents, so no large tree is walked). Only call it on a folder that no writer uses
     * at the same time, and that holds no person's own files. Returns how many it removed.
     */
    public static int removeLeftovers(Path dir) throws IOException {
        return removeLeftovers(dir, java.time.Duration.ZERO);
    }

    /**
     * As {@link #removeLeftovers(Path)}, only temporary files last changed at least {@code olderThan} ago: for a
     * folder another process may be writing in now (the configuration, where {@code nube credentials} writes the
     * access keys while an engine runs or opens), whose writes take milliseconds.
     */
    public static int removeLeftovers(Path dir, java.time.Duration olderThan) throws IOException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int removed = 0;
        long before = System.currentTimeMillis() - olderThan.toMillis();
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*" + TEMP_SUFFIX)) {
            for (Path entry : entries) {
                if (isTemporary(entry) && Files.isRegularFile(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && (olderThan.isZero() || Files.getLastModifiedTime(entry,
                                java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis() < before)
                        && Files.deleteIfExists(entry)) {
                    removed++;
                }
            }
        }
        return removed;
    }
}
