package dev.nube.engine.compute.images.tiny;

import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds Debian packages by name through the system's apt, without root: {@code apt-cache show} names the candidate
 * version and its checksum, the file is taken from Nube's own package cache or apt's archive folders
 * ({@code /var/cache/apt/archives}) when it is there, and fetched with {@code apt-get download} otherwise. Every file
 * is checked against apt's SHA-256 before use.
 *
 * <p>Only a machine with no package lists at all ({@code /var/lib/apt/lists} holds no {@code *_Packages*} file, as
 * before the first {@code apt-get update}) falls back to the newest file already cached for a package, used as it is
 * and named in {@link #fallbacks()} so the image says so. When apt has lists but does not know a package, that is an
 * error naming the package: a cached file would be a guess at the wrong version. Not thread-safe: one image build at
 * a time uses it.
 */
final class DebianPackages {
    /** Where apt keeps the packages it downloaded. */
    static final List<Path> APT_ARCHIVES = List.of(Path.of("/var/cache/apt/archives"));
    private static final Path APT_LISTS = Path.of("/var/lib/apt/lists");
    private static final long COMMAND_TIMEOUT_S = 600;
    /** How apt's own messages begin (error, warning, notice); no control field has a one-letter name. */
    private static final Pattern APT_MESSAGE = Pattern.compile("[EWN]: .*");

    /** One package that went into an image: what the image manifest lists. */
    record Fetched(String name, String version, String sha256, Path file) {
    }

    private final Path cache;
    private final List<Path> aptArchives;
    private final Path aptLists;
    private final Map<String, Map<String, String>> known = new HashMap<>();
    private final List<String> fallbacks = new ArrayList<>();

    /**
     * {@code cache} is where downloaded packages are kept ({@code $XDG_CACHE_HOME/nube/debs}); {@code aptArchives}
     * where apt keeps the packages it downloaded ({@link #APT_ARCHIVES}). With no archive folders every package not in
     * {@code cache} is fetched, as on a fresh machine.
     */
    DebianPackages(Path cache, List<Path> aptArchives) {
        this(cache, aptArchives, APT_LISTS);
    }

    /** As {@link #DebianPackages(Path, List)} with apt's package lists folder given. */
    DebianPackages(Path cache, List<Path> aptArchives, Path aptLists) {
        this.cache = cache;
        this.aptArchives = List.copyOf(aptArchives);
        this.aptLists = aptLists;
    }

    /** The fields apt-cache shows for the candidate version of {@code name}, or empty when apt does not know it. */
    Optional<Map<String, String>> candidate(String name) throws IOException, InterruptedException {
        if (!known.containsKey(name)) {
            lookUp(List.of(name));
        }
        return Optional.ofNullable(known.get(name));
    }

    /** Asks apt about several packages in one call (each call costs a fraction of a second). */
    void lookUp(List<String> names) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("apt-cache", "show", "--no-all-versions"));
        command.addAll(names);
        Commands.Result result = run(command, null);
        Map<String, Map<String, String>> records;
        try {
            // Exit 100 with nothing shown when apt knows none of the names: each is then recorded as unknown.
            records = parseRecords(result.output());
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot read what apt-cache show printed: " + e.getMessage(), e);
        }
        for (String name : names) {
            known.put(name, records.get(name));
        }
    }

    /**
     * The records {@code apt-cache show} prints, by package name in the order printed: RFC 822 style stanzas of
     * {@code Field: value} lines, separated by blank lines. A line starting with a space or tab continues the field
     * before it (as a Description does) and is joined to its value after a newline, without that first character.
     * The last record needs no blank line after it. When a name has several records (several architectures), the
     * first counts. apt's own messages ({@code E: ...}, {@code W: ...}, {@code N: ...}) are skipped.
     *
     * @throws IllegalArgumentException for a line that is neither a field, a continuation nor blank, a continuation
     *                                  with no field before it, or a record without a Package field
     */
    static Map<String, Map<String, String>> parseRecords(String text) {
        Map<String, Map<String, String>> records = new LinkedHashMap<>();
        Map<String, String> fields = new LinkedHashMap<>();
        String field = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                addRecord(records, fields, i);
                fields = new LinkedHashMap<>();
                field = null;
            } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (field == null) {
                    throw new IllegalArgumentException("line " + (i + 1) + " of apt's package records continues"
                            + " a field but follows none: '" + line + "'");
                }
                fields.put(field, fields.get(field) + "\n" + line.substring(1));
            } else if (APT_MESSAGE.matcher(line).matches()) {
                field = null;
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("line " + (i + 1) + " of apt's package records is not a"
                            + " 'Field: value' line: '" + line + "'");
                }
                field = line.substring(0, colon);
                fields.put(field, line.substring(colon + 1).strip());
            }
        }
        addRecord(records, fields, lines.length);
        return records;
    }

    private static void addRecord(Map<String, Map<String, String>> records, Map<String, String> fields, int line) {
        if (fields.isEmpty()) {
            return;
        }
        String name = fields.get("Package");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the package record ending at line " + line + " of apt's output has"
                    + " no Package field: " + fields.keySet());
        }
        records.putIfAbsent(name, fields);
    }

    /**
     * What was taken from the cache because apt has no package lists, one note per package in words: empty unless
     * this machine never ran {@code apt-get update}.
     */
    List<String> fallbacks() {
        return List.copyOf(fallbacks);
    }

    /**
     * The real package a metapackage such as {@code linux-image-amd64} stands for: the first dependency whose name
     * starts with {@code prefix}.
     */
    String resolveMeta(String meta, String prefix) throws IOException, InterruptedException {
        Optional<Map<String, String>> fields = candidate(meta);
        if (fields.isPresent()) {
            for (String dep : fields.get().getOrDefault("Depends", "").split("[,|]")) {
                String depName = dep.strip().split("[ (]")[0];
                if (depName.startsWith(prefix)) {
                    return depName;
                }
            }
            throw new IOException(meta + " does not depend on a " + prefix + "* package");
        }
        Path file = cachedInsteadOf(meta, prefix + "*");
        String name = file.getFileName().toString().split("_")[0];
        fallbacks.add(meta + " taken as " + name + ", the newest " + prefix + "* package cached");
        return name;
    }

    /** The package file of {@code name}'s candidate version, verified; downloaded when needed. */
    Fetched fetch(String name) throws IOException, InterruptedException {
        Optional<Map<String, String>> fields = candidate(name);
        if (fields.isEmpty()) {
            Path file = cachedInsteadOf(name, name + "_*");
            fallbacks.add(name + " from " + file);
            Map<String, String> control = new DebArchive(file).control();
            return new Fetched(name, control.get("Version"), sha256(file), file);
        }
        String version = fields.get().get("Version");
        String arch = fields.get().getOrDefault("Architecture", "amd64");
        String expected = fields.get().get("SHA256");
        String fileName = name + "_" + version.replace(":", "%3a") + "_" + arch + ".deb";
        PrivateFiles.createDirectories(cache);
        Path target = cache.resolve(fileName);
        if (!matches(target, expected)) {
            Optional<Path> local = aptArchives.stream().map(dir -> dir.resolve(fileName))
                    .filter(p -> matches(p, expected)).findFirst();
            if (local.isPresent()) {
                copyAtomically(local.get(), target);
            } else {
                download(name, version, fileName, target);
            }
        }
        if (!matches(target, expected)) {
            throw new IOException(fileName + " does not match the checksum apt lists for it");
        }
        return new Fetched(name, version, expected == null ? sha256(target) : expected, target);
    }

    private void download(String name, String version, String fileName, Path target)
            throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(cache, ".download-");
        try {
            Commands.Result result = run(List.of("apt-get", "download", "-q", name + "=" + version), work);
            Path got = work.resolve(fileName);
            if (result.exit() != 0 || !Files.isRegularFile(got)) {
                throw new IOException("apt-get download " + name + " failed: " + result.lastLine());
            }
            PrivateFiles.restrict(got); // apt-get made it after the umask
            Files.move(got, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            try (DirectoryStream<Path> left = Files.newDirectoryStream(work)) {
                for (Path p : left) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private void copyAtomically(Path source, Path target) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".part");
        PrivateFiles.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The newest cached package file named like {@code glob} (plus {@code .deb}), for the package {@code name} that
     * apt does not know; allowed only while apt has no package lists, since with lists apt's answer is the truth.
     */
    private Path cachedInsteadOf(String name, String glob) throws IOException {
        if (hasPackageLists()) {
            throw new IOException("apt does not know the package " + name + ": check that apt's sources hold it"
                    + " ('apt-cache policy " + name + "') and run 'apt-get update'");
        }
        return newestCached(glob).orElseThrow(() -> new IOException("apt has no package lists (run 'apt-get"
                + " update') and no package file " + glob + ".deb is cached for " + name));
    }

    /** Whether apt has package lists to answer from: any {@code *_Packages*} index, compressed or not. */
    private boolean hasPackageLists() throws IOException {
        if (!Files.isDirectory(aptLists)) {
            return false;
        }
        try (DirectoryStream<Path> lists = Files.newDirectoryStream(aptLists, "*_Packages*")) {
            return lists.iterator().hasNext();
        }
    }

    private Optional<Path> newestCached(String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path dir : concat(cache, aptArchives)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob + ".deb")) {
                entries.forEach(found::add);
            }
        }
        found.sort((a, b) -> Long.compare(b.toFile().lastModified(), a.toFile().lastModified()));
        return found.stream().findFirst();
    }

    private static List<Path> concat(Path first, List<Path> rest) {
        List<Path> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /**
     * Whether {@code file} has the checksum. A file in Nube's cache that was verified before carries a note of its
     * checksum, size and time; when those still agree, hashing 70 MB of kernel package again is skipped.
     */
    private boolean matches(Path file, String sha256) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            String stamp = sha256 + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
            Path note = file.resolveSibling(file.getFileName() + ".verified");
            if (file.startsWith(cache) && sha256 != null && Files.isRegularFile(note)
                    && Files.readString(note).strip().equals(stamp)) {
                return true;
            }
            boolean good = sha256 == null || sha256.equalsIgnoreCase(sha256(file));
            if (good && file.startsWith(cache) && sha256 != null) {
                PrivateFiles.write(note, (stamp + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return good;
        } catch (IOException e) {
            return false;
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Commands.Result run(List<String> command, Path dir) throws IOException, InterruptedException {
        return Commands.run(command, dir, Duration.ofSeconds(COMMAND_TIMEOUT_S));
    }
}
