package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A custom runtime's Go code built on Deploy as AWS builds Go for {@code provided.al2023}: {@code go build} into a
 * static executable named {@code bootstrap} (CGO_ENABLED=0, GOOS=linux, -trimpath, so the same sources build the same
 * bytes). The code is a module (go.mod at the root: the package there is built, its vendor/ folder used when it has
 * one) or .go files at the root without one. Nothing is downloaded (GOPROXY=off): the code uses the standard library,
 * or vendors what else it needs. go runs through {@link ToolProcess} (time limit, cancel) with an environment of its
 * own: its build cache and GOPATH are in Nube's cache ({@code go-build/}, {@code go-path/}), so a second build is
 * quick and the user's own Go settings are not read. Errors printed as {@code ./main.go:12:5: undefined: foo} become
 * {@link BuildProblem}s. Stateless.
 */
final class GoBuild implements CodeBuild {
    /** Debian's golang-go. */
    static final Path GO = Path.of("/usr/bin/go");
    static final String BOOTSTRAP = "bootstrap";
    private static final Pattern PROBLEM = Pattern.compile("^(.+?\\.(?:go|mod|sum|work)):(\\d+)(?::(\\d+))?:\\s*(.+)$");

    private final ToolProcess.Running tools;
    private final Path go;
    private final Path cache;

    /** @param cache Nube's cache folder, where go keeps its build cache and GOPATH */
    GoBuild(ToolProcess.Running tools, Path go, Path cache) {
        this.tools = tools;
        this.go = go;
        this.cache = cache;
    }

    @Override
    public String title() {
        return "go build";
    }

    /** The custom runtime's code with a go.mod, or a .go file, at its root. */
    @Override
    public boolean applies(String runtime, Path code) {
        if (!(runtime.equals(Runtimes.CUSTOM) || Runtimes.CUSTOM_ALIASES.contains(runtime))) {
            return false;
        }
        return hasSources(code);
    }

    /** Whether {@code code} has Go sources to build: a go.mod, or a .go file, at its root. */
    static boolean hasSources(Path code) {
        return Files.isRegularFile(code.resolve("go.mod"), LinkOption.NOFOLLOW_LINKS) || !goFiles(code).isEmpty();
    }

    @Override
    public List<String> outputs() {
        return List.of(BOOTSTRAP);
    }

    @Override
    public List<BuildProblem> build(Path sources, Path into, Consumer<String> output) {
        if (!Files.isExecutable(go)) {
            throw new CodeBuildFailed("Go is not installed (" + go + ", Debian's golang-go package), so the function's"
                    + " Go code cannot be built into its bootstrap; install golang-go and deploy again.", List.of());
        }
        boolean module = Files.isRegularFile(sources.resolve("go.mod"), LinkOption.NOFOLLOW_LINKS);
        if (module) {
            List<BuildProblem> outside = replacementsOutside(sources);
            if (!outside.isEmpty()) {
                throw new CodeBuildFailed("go.mod replaces a module with a folder outside the function's code ("
                        + outside.get(0) + "); only folders inside the code can be used.", outside);
            }
        }
        List<String> command = new ArrayList<>(List.of(go.toString(), "build", "-trimpath", "-o",
                into.resolve(BOOTSTRAP).toString()));
        if (module) {
            command.add(".");
        } else {
            command.addAll(goFiles(sources)); // no module: the root's files, as one main package
        }
        boolean vendored = module && Files.isRegularFile(sources.resolve("vendor/modules.txt"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(sources.toFile()).redirectErrorStream(true);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        environment(builder.environment(), System.getenv(), cache, vendored);
        output.accept("$ " + String.join(" ", command.stream().map(a -> a.startsWith(into.toString())
                ? BOOTSTRAP : a).toList()) + (module ? "" : "   (no go.mod: the .go files at the root)"));
        Deque<String> lines = new ArrayDeque<>();
        int exit;
        try {
            exit = ToolProcess.run(tools, builder, title(), output, lines);
        } catch (CodeBuildFailed e) {
            throw e;
        } catch (EngineException e) { // stopped at its time limit, cancelled, or not started
            throw new CodeBuildFailed(e.getMessage(), e);
        }
        List<String> printed;
        synchronized (lines) { // the output's reader adds to it under this lock
            printed = List.copyOf(lines);
        }
        List<BuildProblem> problems = problems(printed, sources);
        if (exit != 0) {
            throw new CodeBuildFailed(failure(exit, printed, problems), problems);
        }
        return problems;
    }

    /**
     * The {@code replace} directives of {@code code}'s go.mod whose target is a folder (a path starting with
     * {@code /}, {@code ./} or {@code ../}, as go reads it) outside the code, as problems at their lines: go would
     * compile whatever is there on this machine into the function.
     */
    static List<BuildProblem> replacementsOutside(Path code) {
        List<String> lines;
        try {
            lines = Files.readAllLines(code.resolve("go.mod"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of(); // go reads it and says what is wrong with it
        }
        Path root = code.toAbsolutePath().normalize();
        List<BuildProblem> outside = new ArrayList<>();
        boolean block = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("//.*", "").strip();
            if (line.startsWith("replace") && line.endsWith("(")) {
                block = true;
                continue;
            }
            if (block && line.equals(")")) {
                block = false;
                continue;
            }
            if (!(block || line.startsWith("replace ")) || !line.contains("=>")) {
                continue;
            }
            String[] target = line.substring(line.indexOf("=>") + 2).strip().split("\\s+");
            String path = target[0].replace("\"", "");
            if (path.startsWith("/") || path.startsWith("./") || path.startsWith("../") || path.equals(".")
                    || path.equals("..")) {
                if (!root.resolve(path).normalize().startsWith(root)) {
                    outside.add(new BuildProblem("go.mod", i + 1, 1, "replace points outside the code: " + path));
                }
            }
        }
        return outside;
    }

    /** The .go files at the root of {@code code}, tests left out, sorted. */
    private static List<String> goFiles(Path code) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(code, "*.go")) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.endsWith("_test.go") && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    found.add("./" + name); // a path, never a flag, whatever the name starts with
                }
            }
        } catch (IOException e) {
            throw CodeFolder.storage(code, e);
        }
        found.sort(null);
        return found;
    }

    /**
     * go's environment: nothing of the user's but PATH, LANG and the proxy settings (see
     * {@link Dependencies#toolEnvironment}), with HOME, GOCACHE and GOPATH in Nube's cache, a static linux build
     * (CGO_ENABLED=0, GOOS=linux) for the machine's own architecture, no downloads (GOPROXY=off, GOTOOLCHAIN=local,
     * GOFLAGS=-mod=readonly, or -mod=vendor for vendored code) and no version control stamped in (-buildvcs=false).
     */
    static void environment(Map<String, String> environment, Map<String, String> user, Path cache, boolean vendored) {
        Path home = cache.resolve("dependencies-home");
        Path buildCache = cache.resolve("go-build");
        Path goPath = cache.resolve("go-path");
        try {
            for (Path folder : List.of(home, buildCache, goPath)) {
                PrivateFiles.createDirectories(folder);
            }
        } catch (IOException e) {
            throw CodeFolder.storage(cache, e);
        }
        Dependencies.toolEnvironment(environment, user, home);
        environment.put("GOCACHE", buildCache.toString());
        environment.put("GOPATH", goPath.toString());
        environment.put("GOENV", "off");
        environment.put("GOWORK", "off");
        environment.put("GO111MODULE", "on");
        environment.put("GOPROXY", "off");
        environment.put("GOSUMDB", "off");
        environment.put("GOTOOLCHAIN", "local");
        environment.put("GOTELEMETRY", "off");
        environment.put("CGO_ENABLED", "0");
        environment.put("GOOS", "linux");
        environment.put("GOFLAGS", (vendored ? "-mod=vendor" : "-mod=readonly") + " -buildvcs=false");
    }

    /**
     * The problems in what go printed: lines {@code file:line[:column]: message} naming a file of the code (relative
     * to it, or under it), in the order printed, once each.
     */
    static List<BuildProblem> problems(List<String> lines, Path sources) {
        List<BuildProblem> problems = new ArrayList<>();
        Path root = sources.toAbsolutePath().normalize();
        for (String line : lines) {
            Matcher m = PROBLEM.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            String file = m.group(1);
            Path path = Path.of(file);
            if (path.isAbsolute()) {
                path = path.normalize();
                if (!path.startsWith(root)) {
                    continue; // the standard library's, say: not a line the person can edit
                }
                file = root.relativize(path).toString();
            } else {
                file = path.normalize().toString();
                if (file.startsWith("..")) {
                    continue;
                }
            }
            BuildProblem problem = new BuildProblem(file, Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), m.group(4).strip());
            if (!problems.contains(problem)) {
                problems.add(problem);
            }
        }
        return List.copyOf(problems);
    }

    /** The failure in one sentence. */
    private String failure(int exit, List<String> lines, List<BuildProblem> problems) {
        if (lines.stream().anyMatch(l -> l.contains("GOPROXY=off") || l.contains("module lookup disabled"))) {
            return "go build needs modules the code does not have, and Nube downloads none (GOPROXY=off): use the"
                    + " standard library, or put the modules in the code's vendor/ folder (go mod vendor).";
        }
        if (!problems.isEmpty()) {
            return "go build found " + (problems.size() == 1 ? "an error" : problems.size() + " errors") + ": "
                    + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "")
                    + ".";
        }
        String last = lines.stream().filter(l -> !l.isBlank() && !l.startsWith("#")).reduce((a, b) -> b)
                .orElse("no output");
        return "go build failed (exit " + exit + "): " + last.strip() + ".";
    }
}
