package dev.nube.engine.functions.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Reading and writing cgroup control files, shared by the v1 and v2 limiters. Stateless. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    static void write(Path file, String value) throws IOException {
        // One write(2) per value, as cgroupfs wants (it takes the whole value from one write).
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII));
    }

    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A one-value control file kept open and read again from its start on each {@link #read()}: one positioned read
     * ({@code pread}) instead of an open, a read and a close, for a value read on every invocation (Max Memory Used).
     * An interrupt of the reading thread closes a channel: it is opened again at the next read.
     */
    static final class OpenValue implements AutoCloseable {
        private final Path file;
        private final Path fallback;
        private final byte[] bytes = new byte[64];
        private final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        private java.nio.channels.FileChannel open;
        private boolean closed;

        /** {@code file}, or {@code fallback} where the kernel has no such file (chosen at the first read). */
        OpenValue(Path file, Path fallback) {
            this.file = file;
            this.fallback = fallback;
        }

        /** The value now, or 0 when the file cannot be read (the cgroup is gone). */
        synchronized long read() {
            if (closed) {
                return 0L;
            }
            try {
                if (open == null) {
                    Path chosen = fallback == null || Files.exists(file) ? file : fallback;
                    open = java.nio.channels.FileChannel.open(chosen, java.nio.file.StandardOpenOption.READ);
                }
                buffer.clear();
                open.read(buffer, 0); // one pread from the start
                String value = new String(bytes, 0, buffer.position(), StandardCharsets.US_ASCII).strip();
                return value.isEmpty() || value.equals("max") ? 0L : Long.parseLong(value);
            } catch (java.nio.channels.ClosedChannelException e) {
                open = null; // closed by an interrupt of the reading thread
                return 0L;
            } catch (IOException | NumberFormatException e) {
                return 0L;
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (open != null) {
                try {
                    open.close();
                } catch (IOException e) {
                    // read only
                }
                open = null;
            }
        }
    }

    /** The value of {@code key} in a flat keyed file such as memory.events ("oom_kill 1"). */
    static long keyed(Path file, String key) {
        return read(file).stream().flatMap(String::lines).map(String::strip)
                .filter(line -> line.startsWith(key + " ")).map(line -> Long.parseLong(line.substring(key.length() + 1)
                        .strip())).findFirst().orElse(0L);
    }

    /** Every pid listed in the cgroup.procs of the given cgroups (each read once). */
    static List<Long> procs(Path... cgroups) {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path cgroup : cgroups) {
            read(cgroup.resolve("cgroup.procs")).ifPresent(text -> text.lines().map(String::strip)
                    .filter(s -> !s.isEmpty()).map(Long::parseLong).forEach(pids::add));
        }
        return new ArrayList<>(pids);
    }

    /**
     * Kills every process in the cgroups, again and again until none is left (a fork bomb keeps forking while it is
     * being killed; its pids limit stops it from outgrowing us). Gives up after ten seconds.
     */
    static void killAll(Path... cgroups) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<Long> pids = procs(cgroups);
            if (pids.isEmpty()) {
                return;
            }
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            sleepQuietly(2);
        }
    }

    /** Removes an empty cgroup, waiting up to two seconds for exiting processes to leave it. */
    static boolean remove(Path cgroup) {
        for (int attempt = 0; attempt < 200; attempt++) {
            try {
                Files.deleteIfExists(cgroup);
                return true;
            } catch (NoSuchFileException e) {
                return true;
            } catch (IOException e) {
                sleepQuietly(10); // EBUSY while dying processes are still counted in it
            }
        }
        return false;
    }

    /**
     * Removes leftover child cgroups named {@code prefix<pid>} whose pid (a former Nube JVM) is gone, with the
     * environments in them. A former JVM's cgroup v2 leaf {@code prefix jvm-<pid>} holds whatever else sat in the
     * delegated cgroup with it, the user's own processes: it is removed only once empty, and nothing in it is killed.
     */
    static void removeStale(Path parent, String prefix) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path entry : entries) {
                String suffix = entry.getFileName().toString().substring(prefix.length());
                boolean jvmLeaf = suffix.startsWith("jvm-");
                String pid = jvmLeaf ? suffix.substring("jvm-".length()) : suffix;
                if (!pid.matches("[0-9]{1,18}") || ProcessHandle.of(Long.parseLong(pid)).isPresent()) {
                    continue;
                }
                if (jvmLeaf) {
                    if (procs(entry).isEmpty()) {
                        remove(entry);
                    }
                    continue;
                }
                try (DirectoryStream<Path> children = Files.newDirectoryStream(entry)) {
                    for (Path child : children) {
                        if (Files.isDirectory(child)) {
                            killAll(child);
                            remove(child);
                        }
                    }
                }
                remove(entry);
            }
        } catch (IOException e) {
            // best effort: a leftover empty cgroup costs nothing
        }
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
