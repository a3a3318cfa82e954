package dev.nube.engine.functions.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one execution environment's sandbox holds: the code (read-only at /var/task), the runtime (read-only at
 * /var/runtime), the function's layers merged in one folder (read-only at /opt; null for none: then there is no
 * /opt), the complete environment the runtime sees (nothing of the engine's leaks in), and the command to run
 * inside, e.g. {@code [/usr/bin/python3, -u, /var/runtime/bootstrap.py]}.
 */
public record SandboxSpec(Path codeDir, Path runtimeDir, Map<String, String> environment, List<String> command,
        long tmpBytes, Path optDir) {
    public static final String OPT = "/opt";
    public static final String TASK_ROOT = "/var/task";
    public static final String RUNTIME_DIR = "/var/runtime";
    /** The /tmp size AWS gives by default. */
    public static final long DEFAULT_TMP_BYTES = 512L * 1024 * 1024;
    /** The size of /dev/shm (shared memory for semaphores and the like; AWS has none). */
    public static final long SHM_BYTES = 64L * 1024 * 1024;
    /** RLIMIT_NOFILE inside the sandbox, as AWS's 1,024 file descriptors. */
    public static final int MAX_OPEN_FILES = 1024;
    /** Processes and threads, as AWS's 1,024. */
    public static final int MAX_PROCESSES = 1024;

    public SandboxSpec {
        environment = Map.copyOf(environment);
        command = List.copyOf(command);
    }

    /** Without layers. */
    public SandboxSpec(Path codeDir, Path runtimeDir, Map<String, String> environment, List<String> command,
            long tmpBytes) {
        this(codeDir, runtimeDir, environment, command, tmpBytes, null);
    }
}
