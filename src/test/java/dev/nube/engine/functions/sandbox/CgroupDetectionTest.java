package dev.nube.engine.functions.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the limiter is chosen. cgroup v2 cannot be exercised for real on this cgroup v1 machine, so its set-up is
 * checked against a folder laid out as a delegated v2 subtree is (the files the kernel would create are made by
 * hand): which files Nube writes, with which values. Enforcement itself is tested in v1 and watchdog modes.
 */
class CgroupDetectionTest {
    @TempDir
    Path dir;

    @Test
    void parsesProcSelfCgroupAndMountinfo() {
        String selfCgroup = "9:name=systemd:/\n4:memory:/process_api/abc\n8:pids:/\n2:cpu,cpuacct:/x\n0::/user.slice\n";
        assertEquals(Optional.of("/process_api/abc"), CgroupPaths.v1Path(selfCgroup, "memory"));
        assertEquals(Optional.of("/"), CgroupPaths.v1Path(selfCgroup, "pids"));
        assertEquals(Optional.of("/x"), CgroupPaths.v1Path(selfCgroup, "cpuacct"));
        assertEquals(Optional.of("/user.slice"), CgroupPaths.v2Path(selfCgroup));
        String mountinfo = "35 24 0:30 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro\n"
                + "36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n";
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), CgroupPaths.v2Mount(mountinfo));
    }

    @Test
    void delegatedV2SubtreeIsSetUpAndLimitsAreWritten() throws Exception {
        Path mount = dir.resolve("cgroup2");
        Path own = mount.resolve("user.slice/user-1000.slice/user@1000.service/app.slice/nube.scope");
        Files.createDirectories(own);
        Files.writeString(own.resolve("cgroup.controllers"), "cpu io memory pids\n");
        Files.writeString(own.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(own.resolve("cgroup.procs"), ProcessHandle.current().pid() + "\n");
        String selfCgroup = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/nube.scope\n";

        Detected<ResourceLimiter> detected = CgroupV2Limiter.detect(mount, selfCgroup);
        ResourceLimiter limiter = detected.value().orElseThrow(() -> new AssertionError(detected.reason()));
        assertEquals(SandboxMode.CGROUP_V2, limiter.mode());
        long pid = ProcessHandle.current().pid();
        assertEquals(pid + "", Files.readString(own.resolve("nube-jvm-" + pid + "/cgroup.procs")).strip(),
                "the JVM moved into a leaf, so the scope may delegate controllers");
        assertEquals("+memory +pids +cpu", Files.readString(own.resolve("cgroup.subtree_control")));
        Path base = own.resolve("nube-" + pid);
        assertEquals("+memory +pids +cpu", Files.readString(base.resolve("cgroup.subtree_control")));
        assertTrue(limiter.limitsCpu(), "cpu is delegated: CPU caps");

        ResourceLimits limits = limiter.create("env-x", 256L << 20, 1024);
        Path env = base.resolve("env-x");
        assertEquals(String.valueOf(256L << 20), Files.readString(env.resolve("memory.max")));
        assertEquals("1024", Files.readString(env.resolve("pids.max")));
        assertEquals(List.of("echo $$ > '" + env.resolve("cgroup.procs") + "'"), limits.joinCommands());
        Files.writeString(env.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        Files.writeString(env.resolve("memory.peak"), "123456789\n");
        assertTrue(limits.memoryExceeded());
        assertEquals(123456789L, limits.peakMemoryBytes());
        assertFalse(limits.processLimitReached());
        Files.writeString(env.resolve("pids.events"), "max 2\n");
        assertTrue(limits.processLimitReached(), "pids.max refused two forks");
        assertTrue(limits.limitCpu(128 / 1769.0));
        assertEquals("7236 100000", Files.readString(env.resolve("cpu.max")), "7.2% of a CPU per 100 ms");
        assertEquals("7", Files.readString(env.resolve("cpu.weight")));
    }

    @Test
    void withoutAWritableCgroupTheNoteSaysWhatToEnableInOneSentence() throws Exception {
        Path mount = dir.resolve("advice");
        Optional<Path> v2 = Optional.of(mount);
        assertTrue(Sandbox.advice(v2, "4:memory:/x\n8:pids:/\n0::/\n").contains("boot with cgroup v2"),
                "hybrid: memory in v1, as on this machine");
        assertTrue(Sandbox.advice(Optional.empty(), "4:memory:/x\n").contains("boot with cgroup v2"));
        assertTrue(Sandbox.advice(v2, "0::/user.slice/user-1000.slice/session-2.scope\n")
                .contains("start Nube under your systemd user manager"), "a login session's scope, no user manager");
        Path app = mount.resolve("user.slice/user-1000.slice/user@1000.service/app.slice/nube.scope");
        Files.createDirectories(app);
        Files.writeString(app.resolve("cgroup.controllers"), "cpu io\n");
        String self = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/nube.scope\n";
        String advice = Sandbox.advice(v2, self);
        assertTrue(advice.contains("delegate the memory and pids controllers") && advice.contains("Delegate=memory"),
                advice);
        Files.writeString(app.resolve("cgroup.controllers"), "cpu io memory pids\n");
        assertTrue(Sandbox.advice(v2, self).contains("systemd-run --user --scope -p Delegate=yes"),
                "controllers offered, the scope not delegated");
        for (String sentence : List.of(advice, Sandbox.advice(v2, self))) {
            assertEquals(1, sentence.split("\\. ").length, "one sentence: " + sentence);
        }
    }

    @Test
    void withoutCpuDelegatedEnvironmentsGetNoCpuCap() throws Exception {
        Path mount = dir.resolve("cgroup2-nocpu");
        Path own = mount.resolve("user.slice/nube.scope");
        Files.createDirectories(own);
        Files.writeString(own.resolve("cgroup.controllers"), "memory pids\n");
        Files.writeString(own.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(own.resolve("cgroup.procs"), "");
        Detected<ResourceLimiter> detected = CgroupV2Limiter.detect(mount, "0::/user.slice/nube.scope\n");
        ResourceLimiter limiter = detected.value().orElseThrow(() -> new AssertionError(detected.reason()));
        assertEquals("+memory +pids", Files.readString(own.resolve("cgroup.subtree_control")));
        assertFalse(limiter.limitsCpu());
        ResourceLimits limits = limiter.create("env-y", 128L << 20, 1024);
        assertFalse(limits.limitCpu(0.5), "no cpu controller: the caller falls back to a priority");
        assertFalse(Files.exists(own.resolve("nube-" + ProcessHandle.current().pid() + "/env-y/cpu.max")));
    }

    @Test
    void leftoversOfAFormerJvmAreRemovedButNotTheProcessesItsLeafStillHolds() throws Exception {
        Path own = Files.createDirectories(dir.resolve("stale/app.slice"));
        long self = ProcessHandle.current().pid();
        Path goneBase = Files.createDirectories(own.resolve("nube-999999999"));
        Path goneLeaf = Files.createDirectories(own.resolve("nube-jvm-999999999"));
        Path busyLeaf = Files.createDirectories(own.resolve("nube-jvm-999999998"));
        Files.writeString(busyLeaf.resolve("cgroup.procs"), self + "\n"); // a process of the user still in it
        Path liveLeaf = Files.createDirectories(own.resolve("nube-jvm-" + self));
        CgroupFiles.removeStale(own, "nube-");
        assertFalse(Files.exists(goneBase));
        assertFalse(Files.exists(goneLeaf), "the leaf of a JVM that is gone, once empty");
        assertTrue(Files.exists(busyLeaf), "kept while it holds processes");
        assertTrue(ProcessHandle.current().isAlive());
        assertTrue(Files.exists(liveLeaf), "a running JVM's leaf");
    }

    @Test
    void v2WithoutControllersOrNotDelegatedIsRefusedWithAReason() throws Exception {
        Path mount = dir.resolve("other");
        Path own = mount.resolve("system.slice");
        Files.createDirectories(own);
        Files.writeString(own.resolve("cgroup.controllers"), "\n");
        Detected<ResourceLimiter> detected = CgroupV2Limiter.detect(mount, "0::/system.slice\n");
        assertFalse(detected.value().isPresent());
        assertTrue(detected.reason().contains("memory and pids"), detected.reason());
    }

    @Test
    void forcedWatchdogIsUsedAndSaysSo() {
        Sandbox sandbox = Sandbox.detect(Optional.of(SandboxMode.WATCHDOG));
        assertEquals(SandboxMode.WATCHDOG, sandbox.mode());
        assertTrue(sandbox.describe().contains("watchdog"), sandbox.describe());
    }
}
