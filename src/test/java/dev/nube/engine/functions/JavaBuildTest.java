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
        java.util.Map<String, byte[]> sources = JavaBuild.sources(code);
        assertEquals(List.of("src/main/java/example/Bad.java", "src/main/java/example/Good.java"),
                List.copyOf(sources.keySet()));
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
