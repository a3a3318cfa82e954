package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        Map<String, byte[]> sources = JavaBuild.sources(code);
        assertEquals(List.of("src/main/java/example/Bad.java", "src/main/java/example/Good.java"),
                List.copyOf(sources.keySet()));
        JavaBuild.Result failed = JavaBuild.compile(sources, 17, List.of());
        assertTrue(failed.classes().isEmpty());
        assertEquals(1, failed.problems().size(), failed.problems().toString());
        JavaBuild.Problem problem = failed.problems().get(0);
        assertEquals("src/main/java/example/Bad.java", problem.path());
        assertEquals(3, problem.line());
        assertTrue(problem.message().contains("incompatible types"), problem.message());

        Files.write(code.resolve("src/main/java/example/Bad.java"), text("package example;\npublic class Bad { }\n"));
        Files.createDirectories(code.resolve("example"));
        Files.write(code.resolve("example/Bad$Gone.class"), new byte[] {1}); // an inner class of an earlier build
        Files.write(code.resolve("example/Uploaded.class"), new byte[] {1}); // no source of that name: kept
        sources = JavaBuild.sources(code);
        JavaBuild.Result built = JavaBuild.compile(sources, 17, List.of());
        assertEquals(List.of("example/Bad.class", "example/Good$1.class", "example/Good.class"),
                List.copyOf(built.classes().keySet()));
        assertEquals(List.of("example/Bad$Gone.class"), JavaBuild.stale(code, sources, built.classes()));
    }
}
