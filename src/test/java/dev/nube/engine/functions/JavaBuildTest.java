package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploy's compile of a Java function's sources, in memory: class files where Lambda wants them, or problems. */
class JavaBuildTest {
    @TempDir
    Path code;

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sourcesInAMavenLayoutCompileToTheClassPathRootAndProblemsNameTheirFileAndLine() throws Exception {
        Files.createDirectories(code.resolve("src/main/java/example"));
        Files.write(code.resolve("src/main/java/example/Good.java"), text("""
                package example;
                public class Good {
                    Runnable r = new Runnable() { public void run() { } };
                }
                """));
        Files.write(code.resolve("src/main/java/example/Bad.java"), text("""
                package example;
                public class Bad {
                    int x = "not a number";
                }
                """));
        Files.createDirectories(code.resolve("src/test/java/example"));
        Files.write(code.resolve("src/test/java/example/GoodTest.java"), text("import org.junit.Test; // not here\n"));
        java.util.Map<String, byte[]> sources = JavaBuild.sources(code);
        assertEquals(List.of("src/main/java/example/Bad.java", "src/main/java/example/Good.java"),
                List.copyOf(sources.keySet()), "a Maven project's tests are not the function's");
        JavaBuild.Result failed = JavaBuild.compile(sources, 17, List.of());
        assertTrue(failed.classes().isEmpty());
        assertEquals(1, failed.problems().size(), failed.problems().toString());
        BuildProblem problem = failed.problems().get(0);
        assertEquals("src/main/java/example/Bad.java", problem.file());
        assertEquals(3, problem.line());
        assertTrue(problem.message().contains("incompatible types"), problem.message());

        Files.write(code.resolve("src/main/java/example/Bad.java"), text("package example;\npublic class Bad { }\n"));
        JavaBuild.Result built = JavaBuild.compile(JavaBuild.sources(code), 17, List.of());
        assertEquals(List.of("example/Bad.class", "example/Good$1.class", "example/Good.class"),
                List.copyOf(built.classes().keySet()), "at the class path's root, wherever the sources sit");
    }

    @Test
    void aCompilerPluginInTheCodesJarsNeverRunsInNubesJvm() throws Exception {
        // A javac plugin that starts by itself (autoStart), in a jar of the function's lib/, as a service: were javac
        // to load plugins from the class path, its static block would run in Nube's own JVM at Deploy.
        Path marker = code.resolve("plugin-ran");
        Path pluginSources = Files.createDirectories(code.resolve("plugin-src/evil"));
        Files.write(pluginSources.resolve("Boom.java"), text("""
                package evil;
                public class Boom implements com.sun.source.util.Plugin {
                    static {
                        try {
                            java.nio.file.Files.createFile(java.nio.file.Path.of("%s"));
                        } catch (java.io.IOException e) {
                            throw new RuntimeException(e);
                        }
                    }
                    public String getName() { return "boom"; }
                    public void init(com.sun.source.util.JavacTask task, String... args) { }
                    public boolean autoStart() { return true; }
                }
                """.formatted(marker)));
        Path classes = Files.createDirectories(code.resolve("plugin-classes"));
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), pluginSources.resolve("Boom.java")
                .toString()));
        Path jar = Files.createDirectories(code.resolve("fn/lib")).resolve("boom.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("evil/Boom.class"));
            out.write(Files.readAllBytes(classes.resolve("evil/Boom.class")));
            out.putNextEntry(new java.util.jar.JarEntry("META-INF/services/com.sun.source.util.Plugin"));
            out.write(text("evil.Boom\n"));
        }
        JavaBuild.Result built = JavaBuild.compile(java.util.Map.of("Hello.java", text("public class Hello { }\n")),
                17, List.of(jar));
        assertTrue(built.problems().isEmpty(), built.problems().toString());
        assertFalse(Files.exists(marker), "a plugin from the function's code ran in Nube's JVM");
    }

    @Test
    void theBuildAppliesToItsOwnRuntimeAndMakesTheSameJarFromTheSameSources() throws Exception {
        Files.createDirectories(code.resolve("example"));
        Files.write(code.resolve("example/Hello.java"), text("package example;\npublic class Hello { }\n"));
        JavaBuild java17 = new JavaBuild(17, code.resolve("no-runtime-lib"));
        assertTrue(java17.applies("java17", code));
        assertFalse(java17.applies("java21", code));
        assertFalse(java17.applies("java17", code.resolve("example").resolve("..").resolve("none")));
        List<String> lines = new java.util.ArrayList<>();
        Path first = Files.createDirectories(code.getParent().resolve(code.getFileName() + "-out1"));
        Path second = Files.createDirectories(code.getParent().resolve(code.getFileName() + "-out2"));
        assertEquals(List.of(), java17.build(code, first, lines::add));
        java17.build(code, second, line -> { });
        assertEquals(-1, Files.mismatch(first.resolve(JavaBuild.JAR), second.resolve(JavaBuild.JAR)));
        assertTrue(lines.get(lines.size() - 1).contains("1 class file into classes.jar"), lines.toString());
    }
}
