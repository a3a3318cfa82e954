package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JVM's command line for a Java function: flags from its memory, and the function's JAVA_TOOL_OPTIONS winning. */
class JavaRuntimeTest {
    private static final JavaRuntime.Jdk JDK = new JavaRuntime.Jdk(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"),
            "17.0.15");

    @Test
    void aSmallFunctionGetsAHeapThatLeavesRoomForTheRestOfTheJvm() {
        List<String> command = JavaRuntime.command(JDK, 128, Map.of());
        assertEquals("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", command.get(0));
        assertTrue(command.containsAll(List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-Xss512k", "-Xmx60m", "-XX:MaxMetaspaceSize=32m")), command.toString());
        assertEquals(List.of("-cp", "/var/runtime/java/classes:/var/runtime/java/lib/*"
                + ":/var/task/classes.jar:/var/task:/var/task/lib/*:/opt/java/lib/*",
                JavaRuntime.MAIN), command.subList(command.size() - 3, command.size()));
        assertTrue(JavaRuntime.command(JDK, 1024, Map.of()).contains("-Xmx726m"));
        assertEquals("java17", JavaRuntime.info(JDK).id());
        assertEquals("AWS_Lambda_java17", JavaRuntime.info(JDK).executionEnv());
    }

    @Test
    void theFunctionsJavaToolOptionsReplaceTheFlagsOfTheSameKind() {
        List<String> command = JavaRuntime.command(JDK, 128, Map.of("JAVA_TOOL_OPTIONS",
                " -XX:MaxRAMPercentage=50 -XX:+UseParallelGC  -XX:-TieredCompilation"));
        assertFalse(command.stream().anyMatch(flag -> flag.startsWith("-Xmx") || flag.equals("-XX:+UseSerialGC")
                || flag.contains("Tiered")), command.toString());
        assertTrue(command.containsAll(List.of("-Xss512k", "-Xshare:auto", "-XX:MaxMetaspaceSize=32m",
                "-XX:MaxRAM=128m")), "its 50% is of the function's 128 MB, not of this machine's RAM: " + command);
        assertFalse(JavaRuntime.command(JDK, 128, Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxRAM=64m")).contains(
                "-XX:MaxRAM=128m"));
    }
}
