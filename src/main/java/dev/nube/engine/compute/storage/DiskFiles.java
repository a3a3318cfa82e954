package dev.nube.engine.compute.storage;

import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.store.PrivateFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files behind volumes and snapshots, and what is done to them outside QEMU: qcow2 files made, grown and
 * compressed by {@code qemu-img}, checksums, and copies checked at their destination. Every long operation reports
 * its progress as a fraction and ends, removing nothing itself, when its thread is interrupted (the caller removes
 * the partial file).
 */
public final class DiskFiles {
    /** qcow2 options of every file Nube makes: zstd for compressed clusters (snapshots), much faster than zlib. */
    static final String QCOW2_OPTIONS = "compression_type=zstd";
    private static final Duration QUICK = Duration.ofMinutes(2);
    private static final int CHUNK = 8 << 20;
    /** The parts a checksum sums apart (see {@link #checksum}). */
    static final int PART = 32 << 20;
    private static final Pattern PROGRESS = Pattern.compile("\\((\\d+(?:\\.\\d+)?)/100%\\)");

    private DiskFiles() {
    }

    public static long gib(int gib) {
        return (long) gib << 30;
    }

    /** A new empty qcow2 file of {@code bytes} (nothing allocated until written). */
    public static void createEmpty(Path file, long bytes) throws IOException, InterruptedException {
        Commands.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-o", QCOW2_OPTIONS, file.toString(),
                Long.toString(bytes)), null, QUICK);
        PrivateFiles.restrict(file); // qemu-img made it after the umask
    }

    /** Grows a qcow2 file that no running QEMU has open. */
    public static void grow(Path file, long bytes) throws IOException, InterruptedException {
        Commands.check(List.of("qemu-img", "resize", "-q", "-f", "qcow2", file.toString(), Long.toString(bytes)),
                null, QUICK);
    }

    /** The size the guest sees of a qcow2 file. */
    public static long virtualSize(Path file) throws IOException, InterruptedException {
        String json = Commands.check(List.of("qemu-img", "info", "-U", "--output=json", file.toString()), null, QUICK);
        return dev.nube.engine.store.Json.mapper().readTree(json).path("virtual-size").asLong();
    }

    /**
     * Writes every block of the qcow2 {@code source} (its backing chain included) into a new standalone compressed
     * qcow2 {@code target}: what a snapshot of a volume that no QEMU writes to is.
     */
    public static void compressedCopy(Path source, Path target, DoubleConsumer progress)
            throws IOException, InterruptedException {
        convert(List.of("qemu-img", "convert", "-p", "-c", "-f", "qcow2", "-O", "qcow2", "-o", QCOW2_OPTIONS,
                source.toString(), target.toString()), target, progress);
    }

    /**
     * Writes the disk {@code source}, read as {@code sourceFormat} (given, never probed), into a new standalone qcow2
     * {@code target}: an imported image's disk.
     */
    public static void convertToQcow2(Path source, String sourceFormat, Path target, DoubleConsumer progress)
            throws IOException, InterruptedException {
        convert(List.of("qemu-img", "convert", "-p", "-f", sourceFormat, "-O", "qcow2", "-o", QCOW2_OPTIONS,
                source.toString(), target.toString()), target, progress);
    }

    private static void convert(List<String> command, Path target, DoubleConsumer progress)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        StringBuilder last = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                StringBuilder line = new StringBuilder();
                int c;
                while ((c = in.read()) >= 0) {
                    if (c == '\r' || c == '\n') {
                        Matcher m = PROGRESS.matcher(line);
                        if (m.find()) {
                            progress.accept(Double.parseDouble(m.group(1)) / 100);
                        } else if (!line.toString().isBlank()) {
                            synchronized (last) {
                                last.setLength(0);
                                last.append(line.toString().strip());
                            }
                        }
                        line.setLength(0);
                    } else {
                        line.append((char) c);
                    }
                }
            } catch (IOException ignored) {
                // the process was ended
            }
        }, "qemu-img convert");
        reader.setDaemon(true);
        reader.start();
        try {
            int exit = process.waitFor();
            reader.join(5_000);
            if (exit != 0) {
                synchronized (last) {
                    throw new IOException("qemu-img convert failed (exit " + exit + "): " + last);
                }
            }
            PrivateFiles.restrict(target); // qemu-img made it after the umask
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    /**
     * A file's checksum, in hex: the SHA-256 of the SHA-256s of its {@link #PART}-byte parts, in order. The parts are
     * summed on several threads at once (a plain SHA-256 is one thread's work, about 1.3 GB/s here); any change to any
     * byte, a lost or added byte anywhere, changes it as it would a plain SHA-256. {@code progress} hears the fraction
     * read.
     */
    public static String checksum(Path file, DoubleConsumer progress) throws IOException, InterruptedException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            int parts = (int) ((size + PART - 1) / PART);
            byte[][] digests = new byte[parts][];
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            AtomicLong read = new AtomicLong();
            java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic
                    .AtomicReference<>();
            int workers = Math.max(1, Math.min(parts, Math.min(4, Runtime.getRuntime().availableProcessors())));
            List<Thread> threads = new java.util.ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Thread t = new Thread(() -> {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
                    try {
                        for (int i = next.getAndIncrement(); i < parts && failure.get() == null;
                             i = next.getAndIncrement()) {
                            MessageDigest digest = newDigest();
                            long from = (long) i * PART;
                            long to = Math.min(size, from + PART);
                            for (long at = from; at < to; ) {
                                buffer.clear().limit((int) Math.min(CHUNK, to - at));
                                int n = in.read(buffer, at);
                                if (n <= 0) {
                                    throw new IOException(file + " ended at " + at + " of " + size + " bytes");
                                }
                                buffer.flip();
                                digest.update(buffer);
                                at += n;
                                read.addAndGet(n);
                            }
                            digests[i] = digest.digest();
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }, "checksum " + file.getFileName() + " " + w);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            try {
                for (Thread t : threads) {
                    while (t.isAlive()) {
                        t.join(100);
                        progress.accept(size == 0 ? 1 : (double) read.get() / size);
                    }
                }
            } catch (InterruptedException e) {
                failure.compareAndSet(null, e);
                threads.forEach(Thread::interrupt);
                throw e;
            }
            if (failure.get() != null) {
                Exception e = failure.get();
                throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            }
            return combine(digests);
        }
    }

    private static String combine(byte[][] digests) {
        MessageDigest outer = newDigest();
        for (byte[] d : digests) {
            outer.update(d);
        }
        return HexFormat.of().formatHex(outer.digest());
    }

    /**
     * Copies {@code source} to a new file {@code target} (kernel copy, in chunks) while a second thread reads back
     * what has reached the target and sums it ({@link #checksum}); the copy is made durable, and its checksum must be
     * {@code expected} (else this throws, naming both, and the caller removes the target). The check reads the destination, so it
     * proves both the source and the copy whole.
     */
    public static void copyVerified(Path source, Path target, String expected, DoubleConsumer progress)
            throws IOException, InterruptedException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = PrivateFiles.openChannel(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                     StandardOpenOption.READ)) {
            long size = in.size();
            AtomicLong copied = new AtomicLong();
            Thread caller = Thread.currentThread();
            FutureTask<String> summing = new FutureTask<>(() -> sumBehind(out, size, copied, caller));
            Thread summer = new Thread(summing, "checksum " + target.getFileName());
            summer.setDaemon(true);
            summer.start();
            try {
                long position = 0;
                while (position < size) {
                    long n = in.transferTo(position, Math.min(64L << 20, size - position), out);
                    if (n <= 0) {
                        throw new IOException(source + " ended at " + position + " of " + size + " bytes");
                    }
                    position += n;
                    copied.set(position);
                    progress.accept((double) position / size);
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException("cancelled");
                    }
                }
                out.force(true);
                String actual = summing.get();
                if (!actual.equals(expected)) {
                    throw new IOException("the copy's checksum is " + actual + ", not " + expected
                            + " as recorded: the source is damaged");
                }
            } catch (ExecutionException e) {
                throw new IOException("reading back " + target + ": " + e.getCause().getMessage(), e.getCause());
            } finally {
                summer.interrupt();
                summer.join(10_000);
            }
        }
    }

    private static String sumBehind(FileChannel out, long size, AtomicLong copied, Thread copier)
            throws IOException, InterruptedException {
        int parts = (int) ((size + PART - 1) / PART);
        byte[][] digests = new byte[parts][];
        MessageDigest digest = newDigest();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        long position = 0;
        while (position < size) {
            long available = copied.get() - position;
            if (available <= 0) {
                if (!copier.isAlive()) {
                    throw new IOException("the copy stopped");
                }
                Thread.sleep(1);
                continue;
            }
            long partEnd = Math.min(size, (position / PART + 1) * PART);
            buffer.clear().limit((int) Math.min(CHUNK, Math.min(available, partEnd - position)));
            int n = out.read(buffer, position);
            if (n <= 0) {
                throw new IOException("the copy ended at " + position + " bytes");
            }
            buffer.flip();
            digest.update(buffer);
            position += n;
            if (position == partEnd) {
                digests[(int) ((position - 1) / PART)] = digest.digest();
            }
        }
        return combine(digests);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java", e);
        }
    }

    /** The bytes a file takes (0 when it is gone). */
    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
