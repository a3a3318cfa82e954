package dev.nube.engine.compute.images;

import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceCollection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finished image builds kept in the cache: sealed before they are renamed into place, reused only when whole, and
 * handed to an image's folder as hard links. Stateless.
 */
public final class BuildCache {
    /** The list of a finished build's file sizes that marks it complete. */
    public static final String SIZES = "build.sizes";

    /** Fills an empty folder with a build's files. */
    public interface Assembly {
        void assemble(Path work) throws IOException, InterruptedException;
    }

    private BuildCache() {
    }

    /**
     * The finished build {@code images/name}, made by {@code assembly} in a private work folder beside it unless a
     * whole one is there; an incomplete one (a power cut before its files reached the disk) is moved aside, removed
     * and built again, which {@code note} is told. Concurrent builds of one name are safe: the first to finish wins.
     */
    public static Path obtain(Path images, String name, List<String> files, Assembly assembly,
                              java.util.function.Consumer<String> note) throws IOException, InterruptedException {
        Path done = images.resolve(name);
        if (isComplete(done, files)) {
            note.accept("Using the cached build " + name);
            return done;
        }
        if (Files.exists(done)) {
            note.accept("The cached build " + name + " is incomplete: building it again");
            Path aside = images.resolve(".broken-" + System.nanoTime());
            try {
                Files.move(done, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                // another build moved it first
            }
            ResourceCollection.deleteTree(aside);
        }
        Path work = PrivateFiles.createDirectories(images).resolve(".build-" + System.nanoTime());
        try {
            PrivateFiles.createDirectory(work);
            assembly.assemble(work);
            seal(work, files);
            try {
                Files.move(work, done, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.forceDirectory(images);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another build finished the same image first: use it
            }
        } finally {
            try {
                ResourceCollection.deleteTree(work);
            } catch (IOException e) {
                // Not thrown: the build's own failure, if any, is the one to tell; a leftover ".build-" is harmless.
                System.getLogger(BuildCache.class.getName()).log(System.Logger.Level.WARNING, "cannot remove " + work,
                        e);
            }
        }
        if (!isComplete(done, files)) {
            throw new IOException("the cached build " + done + " is incomplete right after it was made");
        }
        return done;
    }

    /**
     * Makes a finished build durable before it is renamed into place: every one of {@code files} forced to disk, then
     * a list of their sizes, written atomically (forced, with its folder). A build is reused only if that list
     * matches.
     */
    public static void seal(Path work, List<String> files) throws IOException {
        StringBuilder sizes = new StringBuilder();
        for (String name : files) {
            Path file = work.resolve(name);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            sizes.append(name).append(' ').append(Files.size(file)).append('\n');
        }
        AtomicFiles.write(work.resolve(SIZES), sizes.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code done} holds a whole build: each of {@code files} there, not empty, of the size {@link #seal} noted. */
    public static boolean isComplete(Path done, List<String> files) {
        try {
            Map<String, Long> sizes = new TreeMap<>();
            for (String line : Files.readAllLines(done.resolve(SIZES), StandardCharsets.UTF_8)) {
                String[] f = line.trim().split(" ");
                if (f.length == 2) {
                    sizes.put(f[0], Long.parseLong(f[1]));
                }
            }
            for (String name : files) {
                Long size = sizes.get(name);
                if (size == null || size == 0 || Files.size(done.resolve(name)) != size) {
                    return false;
                }
            }
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** A hard link when the cache and the target share a file system (instant), else a copy. */
    public static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            try (InputStream in = Files.newInputStream(source)) {
                Files.copy(in, target);
            }
            try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
        Files.setPosixFilePermissions(target, PrivateFiles.FILE); // a link: the cache's file too
    }
}
