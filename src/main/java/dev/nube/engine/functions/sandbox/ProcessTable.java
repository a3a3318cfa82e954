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

    /** One process: its parent, its threads (num_threads), its resident set in bytes and its name (comm). */
    record Entry(long pid, long parent, long threads, long residentBytes, String name) {
    }

    /**
     * One process as /proc/PID/status has it: its name, threads, resident set now (VmRSS), the highest resident set
     * it ever had (VmHWM, kept by the kernel, so a peak between two samples is not missed) and its private writable
     * memory (VmData, what RLIMIT_DATA limits), in bytes.
     */
    record Status(long pid, String name, long threads, long residentBytes, long peakResidentBytes, long dataBytes) {
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
            int close = text.lastIndexOf(')');
            String[] fields = text.substring(close + 2).split(" ");
            return new Entry(pid, Long.parseLong(fields[1]), Long.parseLong(fields[17]),
                    Long.parseLong(fields[21]) * PAGE_SIZE, text.substring(text.indexOf('(') + 1, close));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** One process read now, or empty when it is gone. */
    static Optional<Entry> read(long pid) {
        return Optional.ofNullable(parse(pid, PROC.resolve(Long.toString(pid)).resolve("stat")));
    }

    /** /proc/PID/status of one process read now, or empty when it is gone. */
    static Optional<Status> status(long pid) {
        try {
            return Optional.of(parseStatus(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("status"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Reads "Key:\tvalue" lines; the memory lines are in kB. A kernel thread has no Vm lines: zeros then. */
    static Status parseStatus(long pid, String text) {
        String name = "";
        long threads = 0;
        long resident = 0;
        long peak = 0;
        long data = 0;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String value = line.substring(colon + 1).strip();
            switch (line.substring(0, colon)) {
                case "Name" -> name = value;
                case "Threads" -> threads = Long.parseLong(value);
                case "VmRSS" -> resident = kilobytes(value);
                case "VmHWM" -> peak = kilobytes(value);
                case "VmData" -> data = kilobytes(value);
                default -> {
                }
            }
        }
        return new Status(pid, name, threads, resident, peak, data);
    }

    private static long kilobytes(String value) {
        return Long.parseLong(value.substring(0, value.indexOf(' '))) * 1024;
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
