package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.PrivateFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * A function's log group on disk: one file per log stream ({@code logs/<url-encoded stream name>.log}), a line per
 * event as {@code <epoch ms>\t<message>}. Bounded: a stream past {@value #MAX_STREAM_BYTES} bytes rolls over once
 * ({@code .log.1}, the older half kept), and the group keeps at most {@value #MAX_GROUP_BYTES} bytes, dropping its
 * oldest streams. Thread-safe: each {@link Stream} serialises its own writes.
 */
final class FunctionLog {
    static final long MAX_STREAM_BYTES = 4L * 1024 * 1024;
    static final long MAX_GROUP_BYTES = 64L * 1024 * 1024;
    private static final String SUFFIX = ".log";
    private static final String ROLLED = ".log.1";

    private final Path dir;
    private final String region;
    private final String functionName;
    private final EventBus events;
    /** Streams open for writing, whose last lines may still be in their buffers. */
    private final java.util.Set<Stream> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    FunctionLog(Path dir, String region, String functionName, EventBus events) {
        this.dir = dir;
        this.region = region;
        this.functionName = functionName;
        this.events = events;
    }

    /**
     * Opens a new stream for writing (one per execution environment). Makes {@code logs/} but never the function's
     * folder: a function deleted meanwhile is not found, rather than brought back as a folder with only logs in it.
     */
    Stream open(String streamName) {
        try {
            try {
                PrivateFiles.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // the usual case
            }
            trim();
            Stream stream = new Stream(streamName);
            open.add(stream);
            return stream;
        } catch (NoSuchFileException e) {
            throw FunctionRepository.notFound(region, functionName);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot write logs in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * One log stream being written. Lines are buffered; {@link #flush()} ends each invocation. Lines may still come
     * after {@link #close()} (END and REPORT of an invocation whose environment went away first): each such append
     * opens the file and closes it again, so nothing stays open.
     */
    final class Stream implements AutoCloseable {
        private final String name;
        private final Path file;
        private Writer writer;
        private long size;
        private boolean closed;

        Stream(String name) throws IOException {
            this.name = name;
            this.file = dir.resolve(URLEncoder.encode(name, StandardCharsets.UTF_8) + SUFFIX);
            this.size = Files.exists(file) ? Files.size(file) : 0;
        }

        String name() {
            return name;
        }

        /** Appends lines stamped {@code epochMillis} and tells listeners (live follow). */
        synchronized void append(long epochMillis, List<String> messages) {
            List<LogEvent> appended = new ArrayList<>(messages.size());
            try {
                for (String message : messages) {
                    if (writer == null || size > MAX_STREAM_BYTES) {
                        roll();
                    }
                    String line = epochMillis + "\t" + message.replace('\n', '\r') + "\n";
                    writer.write(line);
                    size += line.length();
                    appended.add(new LogEvent(Instant.ofEpochMilli(epochMillis), name, message));
                }
            } catch (IOException e) {
                return; // a full disk loses log lines, never the invocation
            } finally {
                if (closed) {
                    closeWriter();
                }
            }
            events.publish(new FunctionEvents.LogAppended(region, functionName, appended));
        }

        private void roll() throws IOException {
            if (writer != null) {
                writer.close();
                Files.move(file, dir.resolve(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                size = 0;
            }
            OutputStream out = PrivateFiles.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            writer = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 8192);
        }

        synchronized void flush() {
            try {
                if (writer != null) {
                    writer.flush();
                }
            } catch (IOException e) {
                // see append
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            open.remove(this);
            closeWriter();
        }

        private void closeWriter() {
            try {
                if (writer != null) {
                    writer.close();
                    writer = null;
                }
            } catch (IOException e) {
                // see append
            }
        }
    }

    /** Streams, the most recently written first. */
    List<LogStream> streams() {
        open.forEach(Stream::flush); // what was appended is read, flushed or not
        List<LogStream> streams = new ArrayList<>();
        for (Path file : files(SUFFIX)) {
            try {
                String encoded = file.getFileName().toString();
                String name = URLDecoder.decode(encoded.substring(0, encoded.length() - SUFFIX.length()),
                        StandardCharsets.UTF_8);
                Path rolled = dir.resolve(encoded + ".1");
                Path oldest = Files.exists(rolled) ? rolled : file;
                long bytes = Files.size(file) + (Files.exists(rolled) ? Files.size(rolled) : 0);
                streams.add(new LogStream(name, firstTime(oldest), Files.getLastModifiedTime(file).toInstant(), bytes));
            } catch (IOException e) {
                // a stream deleted meanwhile
            }
        }
        streams.sort(Comparator.comparing(LogStream::lastEventAt).reversed());
        return streams;
    }

    /** Events matching {@code query}; read through {@link #streams()}, so what open streams buffer is included. */
    List<LogEvent> query(LogQuery query) {
        int limit = query.limit() <= 0 ? Integer.MAX_VALUE : query.limit();
        String needle = query.contains() == null || query.contains().isBlank() ? null
                : query.contains().toLowerCase(Locale.ROOT);
        long since = query.since() == null ? Long.MIN_VALUE : query.since().toEpochMilli();
        long until = query.until() == null ? Long.MAX_VALUE : query.until().toEpochMilli();
        List<LogEvent> matching = new ArrayList<>();
        for (LogStream stream : streams()) {
            if (query.stream() != null && !query.stream().equals(stream.name())) {
                continue;
            }
            Path file = dir.resolve(URLEncoder.encode(stream.name(), StandardCharsets.UTF_8) + SUFFIX);
            Deque<LogEvent> last = new ArrayDeque<>();
            for (Path part : List.of(dir.resolve(file.getFileName() + ".1"), file)) {
                read(part, stream.name(), since, until, needle, last, limit);
            }
            matching.addAll(last);
        }
        matching.sort(Comparator.comparing(LogEvent::timestamp));
        return matching.size() <= limit ? matching : List.copyOf(matching.subList(matching.size() - limit,
                matching.size()));
    }

    private static void read(Path file, String stream, long since, long until, String needle, Deque<LogEvent> last,
            int limit) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    continue;
                }
                long millis = Long.parseLong(line.substring(0, tab));
                String message = line.substring(tab + 1);
                if (millis < since || millis >= until
                        || (needle != null && !message.toLowerCase(Locale.ROOT).contains(needle))) {
                    continue;
                }
                last.addLast(new LogEvent(Instant.ofEpochMilli(millis), stream, message));
                if (last.size() > limit) {
                    last.removeFirst();
                }
            }
        } catch (NoSuchFileException e) {
            // no rolled part
        } catch (IOException | NumberFormatException e) {
            // a torn last line after a crash: what was read stands
        }
    }

    private static Instant firstTime(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = reader.readLine();
            int tab = line == null ? -1 : line.indexOf('\t');
            return tab < 0 ? Files.getLastModifiedTime(file).toInstant() : Instant.ofEpochMilli(Long.parseLong(
                    line.substring(0, tab)));
        } catch (NumberFormatException e) {
            return Files.getLastModifiedTime(file).toInstant();
        }
    }

    /** Drops the oldest streams while the group holds more than its limit. */
    private void trim() throws IOException {
        List<Path> all = new ArrayList<>(files(SUFFIX));
        all.addAll(files(ROLLED));
        long total = 0;
        for (Path file : all) {
            total += Files.size(file);
        }
        all.sort(Comparator.comparing(FunctionLog::modified));
        for (Path file : all) {
            if (total <= MAX_GROUP_BYTES) {
                return;
            }
            total -= Files.size(file);
            Files.deleteIfExists(file);
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    private List<Path> files(String suffix) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + suffix)) {
            entries.forEach(files::add);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot read logs in " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }
}
