package dev.nube.engine.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Nube's data is its user's alone: every folder it makes under the data folder, the cache or a region's root is
 * {@value #FOLDER_MODE}, every file {@value #FILE_MODE} ({@value #EXECUTABLE_MODE} for a program that must run, such as
 * a custom runtime's {@code bootstrap}). Functions' code, logs, test events and environment variables (where people
 * keep passwords and keys) are read by no other local user.
 *
 * <p>Modes are given when a file or folder is created, never by a chmod afterwards, and never taken from the process
 * umask: the kernel only clears bits of the mode asked for ({@code mode & ~umask}), so whatever the umask, nothing
 * made here is open to others. Files that other programs make (qemu-img, QEMU, passt) are made owner-only with
 * {@link #restrict} once they exist; they are inside folders of mode 700 from the start.
 *
 * <p>{@link #tighten} makes a tree made by an earlier build, or loosened by hand, owner-only again. Stateless.
 */
public final class PrivateFiles {
    static final String FOLDER_MODE = "rwx------";
    static final String FILE_MODE = "rw-------";
    static final String EXECUTABLE_MODE = "rwx------";
    public static final Set<PosixFilePermission> FOLDER = Set.copyOf(PosixFilePermissions.fromString(FOLDER_MODE));
    public static final Set<PosixFilePermission> FILE = Set.copyOf(PosixFilePermissions.fromString(FILE_MODE));
    public static final Set<PosixFilePermission> EXECUTABLE = Set.copyOf(PosixFilePermissions.fromString(
            EXECUTABLE_MODE));
    /**
     * Left at the top of a tree that {@link #tighten} walked: with the top folder at mode 700 as well, the tree need
     * not be walked again (what is inside a folder of mode 700 is out of other users' reach whatever its own mode).
     */
    public static final String CHECKED_MARKER = ".owner-only";
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateFiles() {
    }

    /** {@code permissions} without any bit for the group or others. */
    public static Set<PosixFilePermission> ownerOnly(Set<PosixFilePermission> permissions) {
        Set<PosixFilePermission> kept = EnumSet.noneOf(PosixFilePermission.class);
        kept.addAll(permissions);
        kept.removeAll(OTHERS);
        return kept;
    }

    /** As {@link Files#createDirectories}, every folder it makes (missing parents too) of mode 700. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, attribute(FOLDER));
    }

    /** As {@link Files#createDirectory}, the folder of mode 700. */
    public static Path createDirectory(Path dir) throws IOException {
        return Files.createDirectory(dir, attribute(FOLDER));
    }

    /** A new empty file of mode 600; throws {@link FileAlreadyExistsException} when there is one. */
    public static Path createFile(Path file) throws IOException {
        return createFile(file, FILE);
    }

    /** A new empty file with {@code permissions} less any bit for the group or others. */
    public static Path createFile(Path file, Set<PosixFilePermission> permissions) throws IOException {
        return Files.createFile(file, attribute(ownerOnly(permissions)));
    }

    /**
     * Makes sure {@code file} exists and is owner-only: created empty (mode 600) when missing, restricted when there,
     * so that a program writing into it afterwards (QEMU's logs, a redirected output) keeps that mode.
     */
    public static Path ensureFile(Path file) throws IOException {
        try {
            return createFile(file);
        } catch (FileAlreadyExistsException e) {
            restrict(file);
            return file;
        }
    }

    /**
     * As {@link Files#newOutputStream} (the same options, by default create and truncate), a file it creates being of
     * mode 600.
     */
    public static OutputStream newOutputStream(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = new HashSet<>(List.of(options));
        if (set.isEmpty()) {
            set.add(StandardOpenOption.CREATE);
            set.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        set.add(StandardOpenOption.WRITE);
        return Channels.newOutputStream(Files.newByteChannel(file, set, attribute(FILE)));
    }

    /** As {@link FileChannel#open(Path, OpenOption...)}, a file it creates being of mode 600. */
    public static FileChannel openChannel(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, new HashSet<>(List.of(options)), attribute(FILE));
    }

    /** As {@link Files#write(Path, byte[], OpenOption...)}, a file it creates being of mode 600. */
    public static Path write(Path file, byte[] bytes, OpenOption... options) throws IOException {
        try (OutputStream out = newOutputStream(file, options)) {
            out.write(bytes);
        }
        return file;
    }

    /**
     * As {@link Files#copy(Path, Path, CopyOption...)}, then the copy restricted to its owner (a copy takes the mode of
     * its source, which may be open to others).
     */
    public static Path copy(Path source, Path target, CopyOption... options) throws IOException {
        Files.copy(source, target, options);
        restrict(target);
        return target;
    }

    /**
     * Takes every bit for the group and others off an existing file or folder, without following a link (a link's
     * own mode means nothing on Linux: a link is left as it is).
     */
    public static void restrict(Path path) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        restrict(path, attributes);
    }

    private static boolean restrict(Path path, PosixFileAttributes attributes) throws IOException {
        Set<PosixFilePermission> now = attributes.permissions();
        if (attributes.isSymbolicLink() || now.stream().noneMatch(OTHERS::contains)) {
            return false;
        }
        if (attributes.isRegularFile() || attributes.isDirectory()) {
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(ownerOnly(now));
        } else {
            // A socket or a FIFO: opening it to change its mode without following links would block (a FIFO) or
            // fail (a socket); the walk saw no link here, so the mode is changed by name.
            Files.setPosixFilePermissions(path, ownerOnly(now));
        }
        return true;
    }

    /**
     * What {@link #tighten} did to a tree: whether its top folder was open to other users, how many files and folders
     * it made owner-only, and what it could not change.
     */
    public record Tightened(boolean topWasOpen, int changed, List<String> failures) {
        public boolean changedAnything() {
            return topWasOpen || changed > 0;
        }
    }

    /**
     * Whether the tree at {@code top} is known owner-only without a walk: its top folder has mode 700 and carries the
     * {@linkplain #CHECKED_MARKER marker} of an earlier {@link #tighten}. Two file system calls.
     */
    public static boolean isChecked(Path top) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(top, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        return attributes.permissions().stream().noneMatch(OTHERS::contains)
                && Files.exists(top.resolve(CHECKED_MARKER), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Walks the existing tree at {@code top} once, without following links, and takes every bit for the group and
     * others off its files and folders; the insides of a folder that {@code keepInside} names are left as they are
     * (the folder itself is restricted). Leaves the {@linkplain #CHECKED_MARKER marker} at the top. An entry that
     * cannot be changed is named in {@link Tightened#failures()} and the walk goes on.
     */
    public static Tightened tighten(Path top, Predicate<Path> keepInside) throws IOException {
        boolean topWasOpen = Files.readAttributes(top, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .permissions().stream().anyMatch(OTHERS::contains);
        int[] changed = {0};
        List<String> failures = new ArrayList<>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                visit(dir, attributes);
                return !dir.equals(top) && keepInside.test(dir) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                visit(file, attributes);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                failures.add(file + ": " + e.getMessage());
                return FileVisitResult.CONTINUE;
            }

            private void visit(Path path, BasicFileAttributes attributes) {
                try {
                    // The walk's own attributes are POSIX ones on Linux: no second stat per entry.
                    if (restrict(path, attributes instanceof PosixFileAttributes posix ? posix
                            : Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS))) {
                        changed[0]++;
                    }
                } catch (IOException e) {
                    failures.add(path + ": " + e.getMessage());
                }
            }
        });
        if (failures.isEmpty()) {
            ensureFile(top.resolve(CHECKED_MARKER));
        }
        return new Tightened(topWasOpen, changed[0] - (topWasOpen ? 1 : 0), List.copyOf(failures));
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
