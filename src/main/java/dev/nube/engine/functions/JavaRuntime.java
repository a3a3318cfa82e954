package dev.nube.engine.functions;

import dev.nube.engine.functions.sandbox.SandboxSpec;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java runtimes ({@code java17}, {@code java21}): the system JDKs under /usr/lib/jvm (the part of the host the
 * sandbox shows, never a {@code java} on the PATH) and Nube's own runtime client, {@code dev.nube.javaruntime}, which
 * is compiled with the console but runs only inside sandboxes. {@link #install} copies its classes out of Nube's own
 * class path into {@code <runtime>/java/classes}, with the aws-lambda-java-core and Jackson jars it needs into
 * {@code <runtime>/java/lib}, so a sandbox sees them at /var/runtime/java; the function's code is
 * /var/task/classes.jar (its sources built on Deploy, {@link JavaBuild}), /var/task and /var/task/lib/*.jar. Stateless apart from the files it writes; thread-safe.
 */
final class JavaRuntime {
    /** The JDK majors offered, each as AWS's runtime of that name. */
    static final List<Integer> MAJORS = List.of(17, 21);
    static final String DIR = "java";
    static final String MAIN = "dev.nube.javaruntime.Main";
    private static final String CLASSES = MAIN.substring(0, MAIN.lastIndexOf('.')).replace('.', '/') + "/";
    /** The jars of the runtime client's class path, each named by one of its classes. */
    private static final List<String> LIBRARY_CLASSES = List.of("com.amazonaws.services.lambda.runtime.Context",
            "com.fasterxml.jackson.databind.ObjectMapper", "com.fasterxml.jackson.core.JsonFactory",
            "com.fasterxml.jackson.annotation.JsonProperty");
    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern VERSION = Pattern.compile("version \"([0-9][0-9.+_a-z-]*)\"");

    /** One installed JDK (or JRE): its home under /usr/lib/jvm and its full version, e.g. "17.0.15". */
    record Jdk(Path home, String version) {
        int major() {
            return Integer.parseInt(version.split("[.+_-]")[0]);
        }

        Path java() {
            return home.resolve("bin/java");
        }
    }

    private JavaRuntime() {
    }

    /**
     * Copies the runtime client and its jars into {@code runtimeDir}/java, writing only what changed and removing
     * what is no longer part of it. False, with nothing offered for Java, when Nube's class path does not hold them.
     */
    static boolean install(Path runtimeDir) throws IOException {
        Map<String, byte[]> classes = runtimeClasses();
        List<Path> jars = new ArrayList<>();
        for (String name : LIBRARY_CLASSES) {
            Path jar = codeSource(name);
            if (jar == null || !Files.isRegularFile(jar)) {
                return false;
            }
            jars.add(jar);
        }
        if (classes.isEmpty()) {
            return false;
        }
        Path classDir = runtimeDir.resolve(DIR).resolve("classes");
        Path packageDir = classDir.resolve(CLASSES);
        PrivateFiles.createDirectories(packageDir);
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            writeIfChanged(classDir.resolve(entry.getKey()), entry.getValue());
        }
        removeOthers(packageDir, classes.keySet().stream().map(n -> n.substring(CLASSES.length()))
                .collect(java.util.stream.Collectors.toSet()));
        Path libDir = runtimeDir.resolve(DIR).resolve("lib");
        PrivateFiles.createDirectories(libDir);
        Set<String> names = new HashSet<>();
        for (Path jar : jars) {
            names.add(jar.getFileName().toString());
            Path target = libDir.resolve(jar.getFileName().toString());
            // Compared by size and time (each copy takes its jar's time): no jar is read at an open that changes none.
            if (!Files.exists(target) || Files.size(target) != Files.size(jar)
                    || !Files.getLastModifiedTime(target).equals(Files.getLastModifiedTime(jar))) {
                AtomicFiles.write(target, Files.readAllBytes(jar));
                Files.setLastModifiedTime(target, Files.getLastModifiedTime(jar));
            }
        }
        removeOthers(libDir, names);
        return true;
    }

    /** The JDKs under /usr/lib/jvm of the offered majors, the first (by folder name) of each; probed by running. */
    static Map<Integer, Jdk> probe() {
        Map<Integer, Jdk> found = new TreeMap<>();
        Set<Path> seen = new HashSet<>();
        List<Path> homes;
        try (Stream<Path> entries = Files.list(JVM_DIR)) {
            homes = entries.sorted().toList();
        } catch (IOException e) {
            return found;
        }
        for (Path home : homes) {
            Path real;
            try {
                real = home.toRealPath();
            } catch (IOException e) {
                continue;
            }
            // Only what the sandbox shows: /usr, not a JDK linked in from /opt or a home folder.
            if (!real.startsWith("/usr/") || !seen.add(real) || !Files.isExecutable(real.resolve("bin/java"))) {
                continue;
            }
            // The JDK's release file says its version; a JVM is started only for a JDK without one.
            releaseVersion(real).or(() -> Runtimes.probe(real.resolve("bin/java").toString(), List.of("-Xshare:auto",
                            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-version"))
                    .flatMap(out -> VERSION.matcher(out).results().findFirst().map(m -> m.group(1))))
                    .map(version -> new Jdk(real, version))
                    .filter(jdk -> MAJORS.contains(jdk.major()))
                    .ifPresent(jdk -> found.putIfAbsent(jdk.major(), jdk));
        }
        return found;
    }

    /** {@code JAVA_VERSION} of the JDK's {@code release} file (17.0.15), or empty. */
    static java.util.Optional<String> releaseVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return java.util.Optional.of(line.substring("JAVA_VERSION=".length()).replace("\"", "").strip())
                            .filter(v -> !v.isEmpty());
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no release file: asked by running it
        }
        return java.util.Optional.empty();
    }

    /** Java N is AWS's {@code javaN}. */
    static RuntimeInfo info(Jdk jdk) {
        String id = "java" + jdk.major();
        return new RuntimeInfo(id, List.of(), RuntimeInfo.Language.JAVA, "Java " + jdk.major() + " (OpenJDK "
                + jdk.version() + ")", jdk.version(), "AWS_Lambda_" + id, "example.Hello::handleRequest");
    }

    /**
     * The JVM's command line for a function of {@code memoryMb}: flags that let a 128 MB function start quickly and
     * stay within its memory (as Lambda's: C1 only, the serial collector, the JDK's class data sharing, a heap of
     * about 85% of the memory less what the JVM needs beside it, and the function's memory as the RAM any
     * {@code -XX:*RAMPercentage} of its own is taken of), minus any the function's own JAVA_TOOL_OPTIONS sets,
     * which the JVM reads from the environment and which then win.
     */
    static List<String> command(Jdk jdk, int memoryMb, Map<String, String> environment) {
        long metaspaceMb = Math.max(32, Math.min(256, memoryMb / 8));
        long heapMb = Math.max(16, memoryMb * 85L / 100 - metaspaceMb - 16);
        List<String[]> flags = List.of(
                new String[] {"-XX:+TieredCompilation", "-XX:[+-]TieredCompilation"},
                new String[] {"-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=.*|-XX:[+-]TieredCompilation"},
                new String[] {"-XX:+UseSerialGC", "-XX:[+-]Use[A-Za-z]*GC"},
                new String[] {"-Xshare:auto", "-Xshare:.*"},
                new String[] {"-XX:-UsePerfData", "-XX:[+-]UsePerfData"},
                new String[] {"-Xms" + Math.min(heapMb, 16) + "m", "-Xms.*|-XX:InitialHeapSize=.*|-XX:InitialRAMPercentage=.*"},
                new String[] {"-Xmx" + heapMb + "m", "-Xmx.*|-XX:MaxHeapSize=.*|-XX:MaxRAM.*|-XX:MinRAMPercentage=.*"},
                // The sandbox shows the JVM no cgroup: the memory its percentages of RAM are taken of.
                new String[] {"-XX:MaxRAM=" + memoryMb + "m", "-XX:MaxRAM=.*"},
                new String[] {"-Xss512k", "-Xss.*|-XX:ThreadStackSize=.*"},
                new String[] {"-XX:MaxMetaspaceSize=" + metaspaceMb + "m", "-XX:MaxMetaspaceSize=.*"},
                new String[] {"-Djava.net.preferIPv4Stack=true", "-Djava.net.preferIPv4Stack=.*"});
        List<String> own = Arrays.asList(environment.getOrDefault("JAVA_TOOL_OPTIONS", "").strip().split("\\s+"));
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        for (String[] flag : flags) {
            Pattern theirs = Pattern.compile(flag[1]);
            if (own.stream().noneMatch(option -> theirs.matcher(option).matches())) {
                command.add(flag[0]);
            }
        }
        String runtime = SandboxSpec.RUNTIME_DIR + "/" + DIR;
        // The code's compiled sources (Deploy's build) come before its own classes at the root and its lib/ jars.
        command.addAll(List.of("-cp", String.join(":", runtime + "/classes", runtime + "/lib/*",
                SandboxSpec.TASK_ROOT + "/" + JavaBuild.JAR, SandboxSpec.TASK_ROOT, SandboxSpec.TASK_ROOT + "/lib/*",
                "/opt/java/lib/*"), MAIN)); // and the layers' jars, where AWS's Java runtimes look for them
        return List.copyOf(command);
    }

    /** The runtime client's class files, by their path in the class path (dev/nube/javaruntime/Main.class...). */
    private static Map<String, byte[]> runtimeClasses() throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        Path source = codeSource(JavaRuntime.class.getName());
        if (source == null) {
            return classes;
        }
        if (Files.isDirectory(source)) {
            Path dir = source.resolve(CLASSES);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        classes.put(CLASSES + file.getFileName(), Files.readAllBytes(file));
                    }
                }
            }
        } else {
            try (JarFile jar = new JarFile(source.toFile())) {
                for (JarEntry entry : jar.stream().toList()) {
                    String name = entry.getName();
                    if (name.startsWith(CLASSES) && name.endsWith(".class") && name.indexOf('/', CLASSES.length()) < 0) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            classes.put(name, in.readAllBytes());
                        }
                    }
                }
            }
        }
        return classes;
    }

    /** The jar or folder a class of Nube's class path was loaded from, or null. */
    private static Path codeSource(String className) {
        try {
            Class<?> type = Class.forName(className, false, JavaRuntime.class.getClassLoader());
            CodeSource source = type.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? null : Path.of(source.getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }

    private static void writeIfChanged(Path target, byte[] content) throws IOException {
        if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), content)) {
            AtomicFiles.write(target, content);
        }
    }

    private static void removeOthers(Path dir, Set<String> keep) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (!keep.contains(file.getFileName().toString()) && Files.isRegularFile(file)) {
                    Files.delete(file);
                }
            }
        }
    }
}
