package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * File operations inside one code folder, with every path checked to stay inside it. A file named
 * {@code bootstrap} is made executable (a custom runtime's entry point must be). Code is its owner's only: files
 * 0600, programs and folders 0700 ({@link PrivateFiles}); the sandbox runs it as the same user. Stateless.
 */
final class CodeFolder {
    static final Set<PosixFilePermission> FILE = PrivateFiles.FILE;
    static final Set<PosixFilePermission> EXECUTABLE = PrivateFiles.EXECUTABLE;

    private CodeFolder() {
    }

    /** {@code relative} under {@code root}; refuses absolute paths, '..' and paths through links that leave it. */
    static Path resolve(Path root, String relative) {
        if (relative == null || relative.isBlank()) {
            throw FunctionRules.invalid("Enter a file or folder name.");
        }
        String cleaned = relative.replace('\\', '/');
        while (cleaned.endsWith("/")) {
            cleaned = cleaned.substring(0, cleaned.length() - 1);
        }
        if (cleaned.startsWith("/") || List.of(cleaned.split("/")).stream().anyMatch(part -> part.equals("..")
                || part.isEmpty() || part.equals(".") || part.indexOf('\0') >= 0)) {
            throw FunctionRules.invalid("'" + relative + "' is not a path inside the function's code.");
        }
        Path path = root.resolve(cleaned).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw FunctionRules.invalid("'" + relative + "' is not a path inside the function's code.");
        }
        try {
            Path realRoot = root.toRealPath();
            for (Path p = path.getParent(); p != null && p.startsWith(root); p = p.getParent()) {
                if (Files.exists(p) && !p.toRealPath().startsWith(realRoot)) {
                    throw FunctionRules.invalid("'" + relative + "' leads outside the function's code.");
                }
            }
        } catch (IOException e) {
            throw storage(root, e);
        }
        return path;
    }

    static String relative(Path root, Path path) {
        return root.relativize(path).toString().replace(java.io.File.separatorChar, '/');
    }

    static List<CodeEntry> list(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<CodeEntry> entries = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root)).forEach(p -> {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    entries.add(new CodeEntry(relative(root, p), attributes.isDirectory(),
                            attributes.isDirectory() ? 0 : attributes.size(), attributes.lastModifiedTime().toInstant()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new EngineException("StorageError", "Cannot list the code in " + root + ": " + e.getMessage(), e);
        }
        entries.sort(Comparator.comparing(CodeEntry::path));
        return entries;
    }

    static long size(Path root) {
        return list(root).stream().mapToLong(CodeEntry::size).sum();
    }

    /**
     * A file's bytes. A link is read only when it leads to a file inside the code (a folder imported before links
     * were checked may hold one that does not); the file it leads to is opened without following links.
     */
    static byte[] read(Path root, String relative) {
        Path file = resolve(root, relative);
        try {
            if (Files.isSymbolicLink(file)) {
                Path real = file.toRealPath();
                if (!real.startsWith(root.toRealPath())) {
                    throw FunctionRules.invalid("'" + relative + "' is a link that leads outside the function's code.");
                }
                file = real;
            }
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                throw FunctionRules.invalid("'" + relative + "' is a folder.");
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                return in.readAllBytes();
            }
        } catch (NoSuchFileException e) {
            throw new EngineException("ResourceNotFoundException", "There is no file '" + relative + "'.");
        } catch (IOException e) {
            throw storage(root, e);
        }
    }

    /**
     * Writes a file, forced to disk, into a code folder that nothing uses yet (a new function's, made before its
     * document): no temporary file, so no name of Nube's lands among the person's files. $LATEST's code of an
     * existing function changes through {@link CodeJournal}.
     */
    static void writeNew(Path root, String relative, byte[] content) {
        Path file = resolve(root, relative);
        try {
            PrivateFiles.createDirectories(file.getParent());
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.createFile(file); // 600 from the start, whatever the umask
            }
            try (java.io.FileOutputStream out = new java.io.FileOutputStream(file.toFile())) {
                out.write(content);
                out.getFD().sync();
            }
            Files.setPosixFilePermissions(file, file.getFileName().toString().equals("bootstrap") ? EXECUTABLE
                    : FILE);
        } catch (IOException e) {
            throw storage(root, e);
        }
    }

    static void createFolder(Path root, String relative) {
        Path dir = resolve(root, relative);
        try {
            if (Files.exists(dir)) {
                throw new EngineException("ResourceConflictException", "'" + relative + "' already exists.");
            }
            PrivateFiles.createDirectories(dir);
        } catch (IOException e) {
            throw storage(root, e);
        }
    }

    static void rename(Path root, String from, String to) {
        Path source = resolve(root, from);
        Path target = resolve(root, to);
        try {
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new EngineException("ResourceNotFoundException", "There is no file or folder '" + from + "'.");
            }
            if (target.startsWith(source)) {
                throw FunctionRules.invalid("A folder cannot move into itself.");
            }
            PrivateFiles.createDirectories(target.getParent());
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new EngineException("ResourceConflictException", "'" + to + "' already exists.");
        } catch (IOException e) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new EngineException("ResourceConflictException", "'" + to + "' already exists.");
            }
            throw storage(root, e);
        }
    }

    static void delete(Path root, String relative) {
        Path path = resolve(root, relative);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException("ResourceNotFoundException", "There is no file or folder '" + relative + "'.");
        }
        deleteTree(path);
    }

    /**
     * Deletes every entry of {@code folder} whose name matches {@code glob}, trees and all; quietly does what it can
     * (what is left is tried again at the next call).
     */
    static void deleteAll(Path folder, String glob) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (java.nio.file.DirectoryStream<Path> left = Files.newDirectoryStream(folder, glob)) {
            for (Path entry : left) {
                deleteTree(entry);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // tried again at the next call
        }
    }

    static void deleteTree(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw storage(path, e);
        }
    }

    /** Copies a folder tree (links copied as links, files keeping their owner's mode), for publishing a version. */
    static void copyTree(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    PrivateFiles.createDirectories(target);
                } else {
                    PrivateFiles.copy(source, target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw storage(from, e);
        }
    }

    static EngineException storage(Path where, IOException e) {
        return new EngineException("StorageError", "Cannot change the code in " + where + ": " + e.getMessage(), e);
    }
}
