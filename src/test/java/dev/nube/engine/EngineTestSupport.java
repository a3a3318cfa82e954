package dev.nube.engine;

import dev.nube.engine.compute.qemu.QemuHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Helpers the engine tests share: an engine for tests of the store, running a real command and reading what it
 * printed, waiting for a state.
 */
public final class EngineTestSupport {
    private EngineTestSupport() {
    }

    /**
     * The engine on {@code home} as {@link Engine#open(Path)} opens it, except that its QEMU host has no KVM device, so
     * opening it starts no KVM probe (a QEMU process each time): for tests that launch no guest. Sandbox detection
     * still runs, as opening the engine always does it.
     */
    public static Engine openWithoutKvm(Path home) {
        // A path under /dev/null can never exist.
        QemuHost noKvm = new QemuHost(QemuHost.SYSTEM.binary(), Path.of("/dev/null/kvm"));
        return Engine.open(home, Engine.defaultCache(System.getenv()), noKvm);
    }

    /**
     * Runs {@code command} in an instance's guest with the stock ssh client, as the console's SSH command does, with
     * the standard output of {@code input} (a shell command on this machine, or null) as its input; the exit status
     * and everything printed.
     */
    public static String[] ssh(Engine engine, String region, String instanceId, String input, String command)
            throws Exception {
        dev.nube.engine.compute.instances.ConnectInfo connect = engine.instances().connectInfo(region, instanceId);
        if (connect.sshCommand() == null) {
            throw new AssertionError("no SSH command: " + connect.loginProblem());
        }
        String line = connect.sshCommand().replaceFirst("^ssh ", "ssh -o BatchMode=yes -o ConnectTimeout=60 ") + " '"
                + command.replace("'", "'\\''") + "'";
        Process ssh = new ProcessBuilder("sh", "-c", input == null ? line : input + " | " + line)
                .redirectErrorStream(true).start();
        String out = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ssh.waitFor(10, TimeUnit.MINUTES)) {
            ssh.destroyForcibly();
            throw new AssertionError("ssh did not finish: " + out);
        }
        return new String[] {Integer.toString(ssh.exitValue()), out};
    }

    /** Runs a command, fails the test unless it exits 0 within a minute, and returns its standard output. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        process.getInputStream().transferTo(out);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 60 s");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(command + " exited " + process.exitValue() + ":\n" + text);
        }
        return text;
    }

    /**
     * Checks {@code condition} every 20 ms until it holds; fails the test, naming {@code what} was awaited, if it does
     * not within {@code seconds}. The deadline only bounds a broken run: the test proves the state, not the time.
     */
    public static void waitUntil(String what, long seconds, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.call()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + seconds + " s waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
