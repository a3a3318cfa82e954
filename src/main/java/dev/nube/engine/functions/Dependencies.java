package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Installs the dependencies a function's code declares, as Lambda's build tools do before a deployment: a node
 * function's {@code package.json} with npm (into {@code node_modules/}, with its {@code package-lock.json}), a python
 * function's {@code requirements.txt} with pip (into the code's root, as Lambda has them: the python runtime puts
 * /var/task first on sys.path). The tool runs on the host (npm and the same /usr/bin/python3 the runtime runs), not
 * in the sandbox, in a copy of the code in the function's folder ({@code dependencies-<uuid>/}). npm runs with
 * {@code --ignore-scripts}: no package's lifecycle scripts, nor the function's, are run. pip runs with
 * {@code --only-binary=:all:}: packages from indexes are installed as wheels only, so their setup.py is not run
 * (a local folder or repository named in requirements.txt is still built by pip, running its setup.py). The tool
 * itself runs as the user, with its input from /dev/null and an environment of PATH, LANG, the proxy and registry
 * settings and a HOME in Nube's cache (see {@link #toolEnvironment}; the user's own ~/.npmrc and pip.conf are not
 * read, the system's /etc ones are). It is stopped after
 * {@link #TIME_LIMIT} or when the calling thread is interrupted, and each line it prints is published as a
 * {@link FunctionEvents.DependencyOutput}. What it installed then replaces what the previous install left, in one
 * change of {@link CodeJournal}: after a failure, a refusal or a crash the code has all of the old tree or all of the
 * new. {@value #RECORD} beside the code records which entries are installed and the digest of the manifest they came
 * from, so an unchanged manifest is not installed again. Thread-safe: the tool runs outside the repository's lock;
 * the copy and the change are made under it.
 */
final class Dependencies {
    static final String RECORD = "dependencies.json";
    static final Duration TIME_LIMIT = Duration.ofMinutes(5);
    private static final String WORK = "dependencies-";
    static final String NODE_MODULES = "node_modules";
    static final String PACKAGE_LOCK = "package-lock.json";

    /**
     * What an install left in the code: the tool, the digest of the manifest it installed from (with the runtime),
     * the code's top-level entries it made, and the {@link #fingerprint} of those entries as installed.
     */
    record Installed(String tool, String manifestSha256, List<String> entries, String fingerprint) {
        Installed {
            entries = List.copyOf(entries);
        }
    }


    /** What was copied out for the tool to work in, under the lock. */
    private record Prepared(PackageManager tool, String inputDigest, Path work, Installed before) {
    }

    private final FunctionRepository repository;
    private final EventBus events;
    private final Path npm;
    private final Path python;
    private final long maxUnzippedBytes;
    /** The functions ("region/name") an install runs for: one at a time each. */
    private final Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final ToolProcess.Running tools;

    Dependencies(FunctionRepository repository, EventBus events, ToolProcess.Running tools, Path npm, Path python,
            long maxUnzippedBytes) {
        this.repository = repository;
        this.tools = tools;
        this.events = events;
        this.npm = npm;
        this.python = python;
        this.maxUnzippedBytes = maxUnzippedBytes;
    }

    /**
     * Installs what $LATEST's manifest declares. {@code change} makes the change of the code the way every other
     * change of $LATEST is made: under the repository's lock it calls its argument, which checks the manifest is the
     * one installed from and stages the new tree in the function's journal, then commits that journal. Returns NONE
     * when the runtime has no tool or the code no manifest, UP_TO_DATE when the manifest is the one installed last
     * and every entry it made is still there. Throws an EngineException, with the code unchanged, when the tool
     * fails, cannot reach its registry or index, runs over its time, is cancelled, or makes the code too big.
     */
    DependencyInstall install(FunctionConfiguration function,
            Consumer<Function<FunctionConfiguration, CodeJournal>> change) {
        Optional<PackageManager> found = PackageManager.of(function.runtime());
        Path code = repository.codeDir(function);
        if (found.isEmpty() || !Files.isRegularFile(code.resolve(found.get().manifest), LinkOption.NOFOLLOW_LINKS)) {
            String manifest = found.map(t -> t.manifest).orElse("");
            output(function, found.isEmpty() ? "The " + function.runtime() + " runtime installs no dependencies."
                    : "No " + manifest + ": nothing to install.");
            return new DependencyInstall(DependencyInstall.Status.NONE, found.map(t -> t.title).orElse(""), manifest,
                    0);
        }
        PackageManager tool = found.get();
        String key = function.region() + "/" + function.name();
        if (!running.add(key)) {
            throw new EngineException("ResourceConflictException", "The dependencies of " + function.name() + " are"
                    + " being installed already; wait for that install to end (or cancel it) and deploy again.");
        }
        try {
            return install(function, change, tool, code);
        } finally {
            running.remove(key);
        }
    }

    private DependencyInstall install(FunctionConfiguration function,
            Consumer<Function<FunctionConfiguration, CodeJournal>> change, PackageManager tool, Path code) {
        long started = System.nanoTime();
        Prepared prepared;
        synchronized (repository) {
            Installed before = record(function, tool);
            String digest = inputDigest(function, tool, code);
            if (before != null && before.manifestSha256().equals(digest) && before.fingerprint() != null
                    && before.fingerprint().equals(fingerprint(before.entries().stream().collect(
                            java.util.stream.Collectors.toMap(e -> e, code::resolve, (a, b) -> a,
                                    LinkedHashMap::new))))) {
                output(function, tool.manifest + " has not changed since its dependencies were installed: nothing to"
                        + " install.");
                return new DependencyInstall(DependencyInstall.Status.UP_TO_DATE, tool.title, tool.manifest,
                        installedSize(code, before.entries()));
            }
            prepared = new Prepared(tool, currentInputs(tool, code), copyForTool(function, tool, code, before),
                    before);
        }
        try {
            Path result = run(function, prepared);
            Map<String, Path> incoming = results(prepared, result);
            checkLinks(tool, incoming);
            List<String> removed = new ArrayList<>();
            Set<String> owned = new LinkedHashSet<>(prepared.before() == null ? List.of() : prepared.before()
                    .entries());
            if (tool == PackageManager.NPM) {
                owned.add(NODE_MODULES); // stale without a record too: npm's tree is npm's
            }
            owned.stream().filter(e -> !incoming.containsKey(e)).forEach(removed::add);
            long installed = 0;
            for (Path p : incoming.values()) {
                installed += treeSize(p);
            }
            Set<String> replaced = new LinkedHashSet<>(owned);
            replaced.addAll(incoming.keySet());
            long installedSize = installed;
            checkSize(code, installed, replaced); // checked again under the lock: the code may change meanwhile
            String recorded = recordedDigest(function, tool, prepared.work().resolve("code"));
            Installed after = new Installed(tool.title, recorded, List.copyOf(incoming.keySet()),
                    fingerprint(incoming));
            long size = installed;
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new EngineException("DependencyInstallFailed", tool.title + " install was cancelled; the"
                        + " function's code was not changed.");
            }
            for (Path p : incoming.values()) { // to disk before the lock: only renames are made under it
                try {
                    CodeJournal.forceTree(p);
                } catch (java.nio.channels.ClosedByInterruptException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineException("DependencyInstallFailed", tool.title + " install was cancelled; the"
                            + " function's code was not changed.");
                } catch (IOException e) {
                    throw CodeFolder.storage(p, e);
                }
            }
            uninterruptibly(() -> change.accept(current -> {
                if (!currentInputs(tool, code).equals(prepared.inputDigest())
                        || !java.util.Objects.equals(record(function, tool), prepared.before())) {
                    throw new EngineException("ResourceConflictException", tool.manifest + ", or what was installed"
                            + " from it, changed while its dependencies were being installed; the function's code"
                            + " was not changed. Deploy again.");
                }
                checkNoClash(tool, code, incoming.keySet(), owned);
                checkSize(code, installedSize, replaced); // the code may have grown since, by another change
                CodeJournal journal = repository.journal(current);
                journal.stageInstall(incoming, removed, after);
                return journal;
            }));
            List<String> names = List.copyOf(incoming.keySet());
            output(function, "Installed " + (names.isEmpty() ? "nothing" : String.join(", ", names.subList(0,
                    Math.min(5, names.size()))) + (names.size() > 5 ? " and " + (names.size() - 5) + " more" : ""))
                    + " (" + size(size) + ") in the code in " + Duration.ofNanos(System.nanoTime() - started)
                    .toSeconds() + " s" + (removed.isEmpty() ? "" : "; removed " + String.join(", ", removed)) + ".");
            return new DependencyInstall(DependencyInstall.Status.INSTALLED, tool.title, tool.manifest, size);
        } finally {
            try {
                CodeFolder.deleteTree(prepared.work());
            } catch (RuntimeException e) { // the install's own outcome is what is said; the folder goes next time
                System.getLogger(Dependencies.class.getName()).log(System.Logger.Level.WARNING, "Could not remove "
                        + prepared.work() + " (removed when Nube next opens): " + e.getMessage());
            }
        }
    }

    /**
     * Runs {@code change} on a thread of its own and waits for it whatever happens: an interrupt (a cancel) arriving
     * while the code changes would close the file channels that force it to disk half-way. The interrupt is kept.
     */
    static void uninterruptibly(Runnable change) {
        java.util.concurrent.FutureTask<Void> task = new java.util.concurrent.FutureTask<>(change, null);
        Thread thread = new Thread(task, "nube-dependencies-change");
        thread.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    task.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Refuses links the tool made that would point outside the function's code once in place, by the rule zips'
     * links obey ({@link ZipPackages#linkTarget}): published versions and exports must keep working.
     */
    static void checkLinks(PackageManager tool, Map<String, Path> incoming) {
        for (Map.Entry<String, Path> entry : incoming.entrySet()) {
            Path root = entry.getValue();
            List<Path> links;
            try (Stream<Path> walk = Files.walk(root)) {
                links = walk.filter(Files::isSymbolicLink).toList();
            } catch (IOException e) {
                throw CodeFolder.storage(root, e);
            }
            for (Path link : links) {
                Path relative = Path.of(entry.getKey()).resolve(root.relativize(link));
                String target;
                try {
                    target = Files.readSymbolicLink(link).toString();
                } catch (IOException e) {
                    throw CodeFolder.storage(link, e);
                }
                try {
                    ZipPackages.linkTarget(relative, target);
                } catch (EngineException e) {
                    throw new EngineException("DependencyInstallFailed", tool.title + " made the link '" + relative
                            + "' to '" + target + "', which points outside the function's code; such code could"
                            + " not be published or exported. The function's code was not changed.", e);
                }
            }
        }
    }

    /** Refuses the install when the code, with what it installed in place of {@code replaced}, would be too big. */
    private void checkSize(Path code, long installed, Set<String> replaced) {
        long total = installed;
        for (CodeEntry entry : CodeFolder.list(code)) {
            String top = entry.path().split("/", 2)[0];
            if (!replaced.contains(top)) {
                total += entry.size();
            }
        }
        if (total > maxUnzippedBytes) {
            throw new EngineException("CodeStorageExceededException", "With its dependencies installed the code"
                    + " would be " + size(total) + " unzipped, more than Lambda's limit of "
                    + size(maxUnzippedBytes) + "; the function's code was not changed.");
        }
    }

    /** A python package whose name is already a file or folder of the person's code is refused, not overwritten. */
    private static void checkNoClash(PackageManager tool, Path code, Set<String> incoming, Set<String> owned) {
        if (tool != PackageManager.PIP) {
            return;
        }
        for (String name : incoming) {
            if (!owned.contains(name) && Files.exists(code.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                throw new EngineException("InvalidParameterValueException", "pip installs '" + name + "', which is"
                        + " already a file or folder of the function's code; rename yours or remove that requirement."
                        + " The function's code was not changed.");
            }
        }
    }

    /**
     * Copies the code, without what the previous install made, into a new work folder: the tool sees the manifest
     * and any local paths it names, and installs from scratch (npm's and pip's caches make that quick).
     */
    private Path copyForTool(FunctionConfiguration function, PackageManager tool, Path code, Installed before) {
        Path work = repository.folder(function).resolve(WORK + java.util.UUID.randomUUID());
        Set<String> skipped = new LinkedHashSet<>(before == null ? List.of() : before.entries());
        if (tool == PackageManager.NPM) {
            skipped.add(NODE_MODULES);
        }
        try {
            PrivateFiles.createDirectories(work.resolve("code"));
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(code)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (!skipped.contains(name) || (tool == PackageManager.NPM && name.equals(PACKAGE_LOCK))) {
                        CodeFolder.copyTree(entry, work.resolve("code").resolve(name));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            CodeFolder.deleteTree(work);
            throw e instanceof IOException io ? CodeFolder.storage(work, io) : (RuntimeException) e;
        }
        return work;
    }

    /** The entries the tool made, by their top-level name in the code. */
    private static Map<String, Path> results(Prepared prepared, Path result) {
        try {
            return results0(prepared, result);
        } catch (IOException e) {
            throw CodeFolder.storage(result, e);
        }
    }

    private static Map<String, Path> results0(Prepared prepared, Path result) throws IOException {
        Map<String, Path> incoming = new LinkedHashMap<>();
        if (prepared.tool() == PackageManager.NPM) {
            for (String name : List.of(NODE_MODULES, PACKAGE_LOCK)) {
                if (Files.exists(result.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                    incoming.put(name, result.resolve(name));
                }
            }
        } else {
            try (Stream<Path> entries = Files.list(result)) {
                entries.sorted().forEach(p -> incoming.put(p.getFileName().toString(), p));
            }
        }
        for (Path p : incoming.values()) {
            ownerOnly(p);
        }
        return incoming;
    }

    /** What the last install of {@code tool} recorded, if any. */
    private Installed record(FunctionConfiguration function, PackageManager tool) {
        return DocumentStore.read(repository.folder(function).resolve(RECORD), Installed.class)
                .filter(r -> r.tool().equals(tool.title)).orElse(null);
    }

    /** Runs the tool; returns the folder its entries are in. */
    private Path run(FunctionConfiguration function, Prepared prepared) {
        Path workCode = prepared.work().resolve("code");
        List<String> command;
        Path into;
        if (prepared.tool() == PackageManager.NPM) {
            if (!Files.isExecutable(npm)) {
                throw new EngineException("DependencyInstallFailed", "npm is not installed (" + npm + ", Debian's npm"
                        + " package), so package.json's dependencies cannot be installed; the function's code was not"
                        + " changed.");
            }
            // Retries bounded: npm's own default waits more than a minute for a registry it cannot reach.
            command = List.of(npm.toString(), "install", "--omit=dev", "--no-audit", "--no-fund",
                    "--ignore-scripts", "--fetch-retries=1", "--fetch-retry-mintimeout=2000",
                    "--fetch-retry-maxtimeout=10000");
            into = workCode;
        } else {
            into = prepared.work().resolve("packages");
            command = List.of(python.toString(), "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
                    "--progress-bar", "off", "--timeout", "15", "--retries", "1", "--only-binary=:all:", "--no-compile",
                    "--target", into.toString(),
                    "-r", "requirements.txt");
        }
        output(function, prepared.tool() == PackageManager.NPM ? "Install scripts are not run (--ignore-scripts):"
                + " packages that build themselves when installed will not work." : "Packages from indexes are"
                + " installed as wheels only (--only-binary=:all:), so their setup.py is not run; a local folder or"
                + " repository named in requirements.txt is still built, with its setup.py.");
        output(function, "$ " + String.join(" ", command.stream().map(a -> a.startsWith(prepared.work().toString())
                ? "<staging>" + a.substring(prepared.work().toString().length()) : a).toList()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workCode.toFile()).redirectErrorStream(true);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        toolEnvironment(builder.environment(), System.getenv(), toolHome());
        Deque<String> lines = new ArrayDeque<>();
        int exit = ToolProcess.run(tools, builder, prepared.tool().title + " install", line -> output(function, line),
                lines);
        if (exit != 0) {
            throw new EngineException("DependencyInstallFailed", prepared.tool().failure(exit, copy(lines)));
        }
        if (prepared.tool() == PackageManager.PIP && !Files.isDirectory(into)) {
            try {
                PrivateFiles.createDirectories(into); // requirements that name nothing
            } catch (IOException e) {
                throw CodeFolder.storage(into, e);
            }
        }
        return into;
    }



    private static final List<String> PASSED_ON = List.of("LANG", "http_proxy", "https_proxy", "no_proxy",
            "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "npm_config_registry", "NPM_CONFIG_REGISTRY", "PIP_INDEX_URL",
            "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CERT", "PIP_TRUSTED_HOST", "SSL_CERT_FILE",
            "NODE_EXTRA_CA_CERTS");

    /**
     * The tool's environment: nothing of the user's but PATH (with /usr/bin first: the interpreter the runtime runs),
     * the language, the proxy settings and the variables that choose npm's registry, pip's indexes and their
     * certificates; HOME is a folder of Nube's cache, so npm's and pip's caches and settings
     * are there, not in the user's home, and git never asks for a password.
     */
    static void toolEnvironment(Map<String, String> environment, Map<String, String> user, Path home) {
        environment.clear();
        environment.put("PATH", "/usr/bin:" + user.getOrDefault("PATH", "/bin"));
        environment.put("HOME", home.toString());
        for (String name : PASSED_ON) {
            if (user.get(name) != null) {
                environment.put(name, user.get(name));
            }
        }
        environment.put("GIT_TERMINAL_PROMPT", "0");
        environment.put("npm_config_update_notifier", "false");
        environment.put("npm_config_progress", "false");
        environment.put("PIP_NO_INPUT", "1");
    }

    /** HOME for the tools: Nube's cache's {@code dependencies-home/}. */
    private static Path toolHome() {
        Path home = dev.nube.engine.Engine.defaultCache(System.getenv()).toAbsolutePath().resolve("dependencies-home");
        try {
            PrivateFiles.createDirectories(home);
        } catch (IOException e) {
            throw CodeFolder.storage(home, e);
        }
        return home;
    }

    private static List<String> copy(Deque<String> lines) {
        synchronized (lines) { // the output's reader adds to it under this lock
            return List.copyOf(lines);
        }
    }

    private void output(FunctionConfiguration function, String line) {
        events.publish(new FunctionEvents.DependencyOutput(function.region(), function.name(), line));
    }

    /** The digest of the tool's inputs as they are in {@code code}, and the runtime. */
    private static String currentInputs(PackageManager tool, Path code) {
        MessageDigest digest = sha256();
        for (String input : tool.inputs) {
            digest.update((input + "\0").getBytes(StandardCharsets.UTF_8));
            Path file = code.resolve(input);
            try {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    digest.update(Files.readAllBytes(file));
                }
            } catch (IOException e) {
                throw CodeFolder.storage(file, e);
            }
            digest.update((byte) 0);
        }
        return Base64.getEncoder().encodeToString(digest.digest());
    }

    private static String inputDigest(FunctionConfiguration function, PackageManager tool, Path code) {
        return function.runtime() + ":" + currentInputs(tool, code);
    }

    /** The digest recorded: of the inputs after the install (npm rewrites package-lock.json). */
    private static String recordedDigest(FunctionConfiguration function, PackageManager tool, Path after) {
        return inputDigest(function, tool, after);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The digest of what an install made, so that an edited or partly deleted tree is installed again: every file,
     * folder and link under the entries (name to where it is), by its path in the code, sorted, with its size (files)
     * or target (links).
     */
    static String fingerprint(Map<String, Path> entries) {
        java.util.TreeMap<String, String> found = new java.util.TreeMap<>();
        for (Map.Entry<String, Path> entry : entries.entrySet()) {
            Path root = entry.getValue();
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                found.put(entry.getKey(), "missing");
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    String relative = root.relativize(p).toString();
                    String name = relative.isEmpty() ? entry.getKey() : entry.getKey() + "/" + relative;
                    found.put(name, Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                            : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "folder"
                            : "file " + Files.size(p));
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new EngineException("StorageError", "Cannot read " + root + ": " + e.getMessage(), e);
            }
        }
        MessageDigest digest = sha256();
        found.forEach((name, what) -> digest.update((name + "\0" + what + "\n").getBytes(StandardCharsets.UTF_8)));
        return Base64.getEncoder().encodeToString(digest.digest());
    }

    private static long installedSize(Path code, List<String> entries) {
        long size = 0;
        for (String entry : entries) {
            size += treeSize(code.resolve(entry));
        }
        return size;
    }

    private static long treeSize(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new EngineException("StorageError", "Cannot measure " + path + ": " + e.getMessage(), e);
        }
    }

    /** Code is its owner's only (see {@link CodeFolder}): folders and programs 700, other files 600. */
    private static void ownerOnly(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.toList();
        }
        for (Path p : all) {
            if (Files.isSymbolicLink(p)) {
                continue;
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p);
            boolean program = Files.isDirectory(p) || mode.contains(PosixFilePermission.OWNER_EXECUTE);
            Files.setPosixFilePermissions(p, program ? CodeFolder.EXECUTABLE : CodeFolder.FILE);
        }
    }

    /** In MB, or KB under one MB, rounded up: never less than it is. */
    private static String size(long bytes) {
        return bytes >= 1 << 20 ? ((bytes + (1 << 20) - 1) >> 20) + " MB" : ((bytes + 1023) >> 10) + " KB";
    }

    /** Removes the work folders of installs a stopped engine left in a function's folder (nothing refers to them). */
    static void removeLeftWork(Path functionFolder) {
        CodeFolder.deleteAll(functionFolder, WORK + "*");
    }
}
