package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Deployment packages: zips read and written with Commons Compress. Unzipping goes to a fresh folder that the
 * caller swaps in only when everything was accepted, so a refused package leaves nothing half-written. Stateless.
 */
final class ZipPackages {
    /** AWS's limit for a function's unzipped code. */
    static final long MAX_UNZIPPED_BYTES = 250L * 1024 * 1024;
    /** An entry inflating more than this many times its compressed size (past {@link #BOMB_FLOOR}) is a bomb. */
    static final long MAX_RATIO = 100;
    static final long BOMB_FLOOR = 1024 * 1024;
    private static final int FILE_TYPE = 0100000;
    private static final int LINK_TYPE = 0120000;

    private ZipPackages() {
    }

    /**
     * Unzips {@code zip} into {@code target} (which must not exist); on refusal {@code target} is removed. Links are
     * where zips escape, so: no two entries may share a name, no entry may lie under a link of the same zip, files are
     * opened without following links and must be new, and links are made only after every file, each pointing
     * within the code by {@link #linkTarget} (upward steps first, then only downward ones).
     */
    static void unzip(Path zip, Path target) {
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            PrivateFiles.createDirectories(target);
            Map<Path, ZipArchiveEntry> entries = checkedEntries(target, Collections.list(file.getEntries()));
            long total = 0;
            Map<Path, String> links = new LinkedHashMap<>();
            for (Map.Entry<Path, ZipArchiveEntry> named : entries.entrySet()) {
                Path relative = named.getKey();
                ZipArchiveEntry entry = named.getValue();
                Path destination = target.resolve(relative);
                if (entry.isDirectory()) {
                    PrivateFiles.createDirectories(destination);
                    continue;
                }
                if (entry.isUnixSymlink()) {
                    links.put(relative, file.getUnixSymlink(entry));
                    continue;
                }
                PrivateFiles.createDirectories(destination.getParent());
                long written;
                try (InputStream in = file.getInputStream(entry); OutputStream out = PrivateFiles.newOutputStream(
                        destination, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    written = copyBounded(in, out, entry.getName(), entry.getCompressedSize(),
                            MAX_UNZIPPED_BYTES - total);
                }
                total += written;
                int mode = entry.getUnixMode();
                Set<PosixFilePermission> permissions = (mode & 0111) != 0 || destination.getFileName().toString()
                        .equals("bootstrap") ? CodeFolder.EXECUTABLE : CodeFolder.FILE;
                Files.getFileAttributeView(destination, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(permissions);
            }
            for (Map.Entry<Path, String> link : links.entrySet()) {
                Path destination = target.resolve(link.getKey());
                PrivateFiles.createDirectories(destination.getParent());
                Files.createSymbolicLink(destination, linkTarget(link.getKey(), link.getValue()));
            }
        } catch (EngineException e) {
            CodeFolder.deleteTree(target);
            throw e;
        } catch (IOException | RuntimeException e) {
            CodeFolder.deleteTree(target);
            throw new EngineException("InvalidZipFileException", "Could not unzip " + zip.getFileName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The entries by their path under the code, in zip order; refuses duplicates and entries under a link. */
    private static Map<Path, ZipArchiveEntry> checkedEntries(Path target, List<ZipArchiveEntry> entries) {
        Map<Path, ZipArchiveEntry> byPath = new LinkedHashMap<>();
        Set<Path> links = new HashSet<>();
        for (ZipArchiveEntry entry : entries) {
            Path relative = target.relativize(safe(target, entry.getName()));
            ZipArchiveEntry before = byPath.putIfAbsent(relative, entry);
            if (before != null && !(before.isDirectory() && entry.isDirectory())) {
                throw refused("the entry '" + entry.getName() + "' appears twice");
            }
            if (entry.isUnixSymlink()) {
                links.add(relative);
            }
        }
        for (Map.Entry<Path, ZipArchiveEntry> named : byPath.entrySet()) {
            for (Path above = named.getKey().getParent(); above != null; above = above.getParent()) {
                if (links.contains(above)) {
                    throw refused("the entry '" + named.getValue().getName() + "' lies under the link '" + above
                            + "'");
                }
            }
        }
        return byPath;
    }

    /**
     * The target of the link at {@code relative}, if it stays within the code: relative, some '..' steps first that
     * do not climb above the code, then names only. Because no entry lies under a link, the link's folder is a real
     * folder, so the '..' steps are real ones; the names after them go down, whether or not they are links that
     * obey the same rule. Lexical normalisation alone is not enough: with {@code up -> ..}, {@code up/..} reads as
     * the code's folder but is its parent.
     */
    static Path linkTarget(Path relative, String link) {
        String cleaned = link;
        if (cleaned.isEmpty() || cleaned.startsWith("/") || cleaned.indexOf('\0') >= 0) {
            throw refused("the link '" + relative + "' points to '" + link + "', outside the function's code");
        }
        int depth = relative.getNameCount() - 1;
        boolean down = false;
        List<String> parts = new ArrayList<>();
        for (String part : cleaned.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (down || --depth < 0) {
                    throw refused("the link '" + relative + "' points to '" + link + "', outside the function's code"
                            + (down ? " (a link may go up only before it goes down)" : ""));
                }
            } else {
                down = true;
            }
            parts.add(part);
        }
        if (parts.isEmpty()) {
            throw refused("the link '" + relative + "' points to its own folder");
        }
        return Path.of(String.join("/", parts));
    }

    private static Path safe(Path target, String name) {
        String cleaned = name.replace('\\', '/');
        Path resolved = target.resolve(cleaned).normalize();
        if (cleaned.startsWith("/") || List.of(cleaned.split("/")).contains("..") || !resolved.startsWith(target)
                || resolved.equals(target)) {
            throw refused("the entry '" + name + "' would be written outside the function's code (zip slip)");
        }
        return resolved;
    }

    private static long copyBounded(InputStream in, OutputStream out, String name, long compressed, long room)
            throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long written = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            written += n;
            if (written > room) {
                throw refused("it unzips to more than " + (MAX_UNZIPPED_BYTES >> 20) + " MB");
            }
            if (written > BOMB_FLOOR && compressed >= 0 && written > MAX_RATIO * Math.max(1, compressed)) {
                throw refused("'" + name + "' inflates more than " + MAX_RATIO + " times its compressed size"
                        + " (a zip bomb)");
            }
            out.write(buffer, 0, n);
        }
        return written;
    }

    private static EngineException refused(String why) {
        return new EngineException("InvalidZipFileException", "The package was refused: " + why
                + ". Nothing was changed.");
    }

    /** Zips the folder {@code dir} into {@code target}, replacing it atomically. Returns the zip's SHA-256. */
    static String zip(Path dir, Path target) {
        Path temp = dev.nube.engine.store.AtomicFiles.temporaryFor(target);
        try {
            PrivateFiles.createDirectories(target.getParent());
            try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(PrivateFiles.newOutputStream(temp));
                    Stream<Path> walk = Files.walk(dir)) {
                for (Path path : walk.filter(p -> !p.equals(dir)).sorted(Comparator.naturalOrder()).toList()) {
                    String name = CodeFolder.relative(dir, path);
                    if (Files.isSymbolicLink(path)) {
                        ZipArchiveEntry entry = new ZipArchiveEntry(name);
                        entry.setUnixMode(LINK_TYPE | 0777);
                        out.putArchiveEntry(entry);
                        out.write(Files.readSymbolicLink(path).toString().getBytes(StandardCharsets.UTF_8));
                        out.closeArchiveEntry();
                    } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                        out.putArchiveEntry(new ZipArchiveEntry(name + "/"));
                        out.closeArchiveEntry();
                    } else {
                        ZipArchiveEntry entry = new ZipArchiveEntry(name);
                        entry.setUnixMode(FILE_TYPE | (Files.isExecutable(path) ? 0755 : 0644));
                        entry.setLastModifiedTime(Files.getLastModifiedTime(path));
                        out.putArchiveEntry(entry);
                        Files.copy(path, out);
                        out.closeArchiveEntry();
                    }
                }
            }
            String sha = sha256(temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return sha;
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not write " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }

    /** Base64 of the SHA-256, as AWS's CodeSha256. */
    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return Base64.getEncoder().encodeToString(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
