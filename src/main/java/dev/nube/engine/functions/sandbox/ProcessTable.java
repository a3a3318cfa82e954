package dev.nube.engine.functions.sandbox;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's processes as /proc shows them at one moment: each one's parent, threads and resident memory, read in a
 * single pass (one read of /proc/PID/stat per process), so the process trees of many environments are measured for
 * the price of one walk.
 */
final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    private static final long PAGE_SIZE = 4096;

    /** One process: its parent, its threads (num_threads) and its resident set in bytes. */
    record Entry(long pid, long parent, long threads, long residentBytes) {
    }

    private final Map<Long, Entry> byPid;
    private final Map<Long, List<Entry>> children = new HashMap<>();

    private ProcessTable(Map<Long, Entry> byPid) {
        this.byPid = byPid;
        for (Entry entry : byPid.values()) {
            children.computeIfAbsent(entry.parent(), parent -> new ArrayList<>()).add(entry);
        }
    }

    /** Reads /proc now; processes that end while it reads are left out. */
    static ProcessTable read() {
        Map<Long, Entry> byPid = new HashMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, ProcessTable::isPid)) {
            for (Path dir : pids) {
                Entry entry = parse(Long.parseLong(dir.getFileName().toString()), dir.resolve("stat"));
                if (entry != null) {
                    byPid.put(entry.pid(), entry);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + PROC, e);
        }
        return new ProcessTable(byPid);
    }

    private static boolean isPid(Path path) {
        String name = path.getFileName().toString();
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return !name.isEmpty();
    }

    /**
     * /proc/PID/stat: "pid (comm) state ppid ...": after the comm (which may hold spaces and parentheses, so the
     * last ')' ends it), ppid is the 2nd field, num_threads the 18th and rss (pages) the 22nd. Null for a process
     * that is gone.
     */
    static Entry parse(long pid, Path stat) {
        try {
            String text = Files.readString(stat);
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return new Entry(pid, Long.parseLong(fields[1]), Long.parseLong(fields[17]),
                    Long.parseLong(fields[21]) * PAGE_SIZE);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** One process read now, or empty when it is gone. */
    static Optional<Entry> read(long pid) {
        return Optional.ofNullable(parse(pid, PROC.resolve(Long.toString(pid)).resolve("stat")));
    }

    /** {@code root} and all its descendants; empty when {@code root} is not in the table. */
    List<Entry> tree(long root) {
        Entry top = byPid.get(root);
        if (top == null) {
            return List.of();
        }
        List<Entry> tree = new ArrayList<>();
        Deque<Entry> next = new ArrayDeque<>(List.of(top));
        while (!next.isEmpty()) {
            Entry entry = next.poll();
            tree.add(entry);
            next.addAll(children.getOrDefault(entry.pid(), List.of()));
        }
        return tree;
    }
}
