package dev.nube.engine.compute.images.tiny;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A Debian package file read without dpkg: an ar archive holding {@code control.tar.*} and {@code data.tar.*}
 * (xz or gzip). Stateless; safe from any thread.
 */
final class DebArchive {
    private final Path file;

    DebArchive(Path file) {
        this.file = file;
    }

    /** The fields of the package's control file ({@code Package}, {@code Version}, {@code Depends} ...). */
    Map<String, String> control() throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        readMember("control.tar", tar -> {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.getName().equals("./control") || entry.getName().equals("control")) {
                    String text = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                    String key = null;
                    for (String line : text.split("\n")) {
                        if (!line.isEmpty() && Character.isWhitespace(line.charAt(0)) && key != null) {
                            fields.put(key, fields.get(key) + "\n" + line.strip());
                        } else if (line.contains(":")) {
                            key = line.substring(0, line.indexOf(':')).strip();
                            fields.put(key, line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                    return;
                }
            }
        });
        return fields;
    }

    /**
     * Extracts the data entries whose path (without the leading {@code ./}, e.g. {@code usr/sbin/dropbear}) matches
     * {@code wanted} under {@code target}: regular files with their permission bits, symbolic links as they are,
     * folders as needed. Returns the extracted paths, relative, in archive order.
     */
    List<String> extract(Path target, Predicate<String> wanted) throws IOException {
        List<String> extracted = new ArrayList<>();
        readMember("data.tar", tar -> {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName().replaceFirst("^\\./", "");
                if (name.isEmpty() || entry.isDirectory() || !wanted.test(name)) {
                    continue;
                }
                Path out = target.resolve(name).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("unsafe path in " + file.getFileName() + ": " + name);
                }
                Files.createDirectories(out.getParent());
                Files.deleteIfExists(out);
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.copy(target.resolve(entry.getLinkName().replaceFirst("^\\./", "")), out);
                } else if (entry.isFile()) {
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(out, permissions(entry.getMode()));
                } else {
                    continue; // device nodes and fifos do not occur in the packages we read
                }
                extracted.add(name);
            }
        });
        return extracted;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    private interface TarReader {
        void read(TarArchiveInputStream tar) throws IOException;
    }

    private void readMember(String prefix, TarReader reader) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
             ArArchiveInputStream ar = new ArArchiveInputStream(in)) {
            ArArchiveEntry member;
            while ((member = ar.getNextEntry()) != null) {
                String name = member.getName();
                if (!name.startsWith(prefix)) {
                    continue;
                }
                InputStream body = new BufferedInputStream(ar, 1 << 16);
                InputStream decompressed;
                if (name.endsWith(".xz")) {
                    decompressed = new XZCompressorInputStream(body);
                } else if (name.endsWith(".gz")) {
                    decompressed = new GzipCompressorInputStream(body);
                } else if (name.equals(prefix)) {
                    decompressed = body;
                } else {
                    throw new IOException(file.getFileName() + ": " + name + " uses a compression Nube cannot read");
                }
                reader.read(new TarArchiveInputStream(decompressed));
                return;
            }
        }
        throw new IOException(file.getFileName() + " is not a Debian package (no " + prefix + " member)");
    }
}
