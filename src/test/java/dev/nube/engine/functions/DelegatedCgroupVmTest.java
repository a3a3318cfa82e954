package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageState;
import dev.nube.engine.compute.images.debian.DebianImageBuilder;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The functions engine's limits on a real cgroup v2 system, as an ordinary user whose cgroups systemd delegates, as
 * on a desktop: a Debian 12 guest (systemd, cgroup v2, a JRE, bubblewrap, python3; the image Nube builds, with
 * those packages added) gets this build's classes over SSH and runs tests of {@link LimitsTest} there as the user
 * {@code admin}, started as {@code ./nube} starts the console: through {@code packaging/delegated-scope}, which asks
 * systemd's user manager for a delegated scope (see {@link GuestLimits}).
 */
@Tag("vm")
class DelegatedCgroupVmTest {
    private static final String REGION = "local-1";
    /** Under TCG on a busy machine systemd and cloud-init take minutes; nothing asserts on time. */
    private static final long BOOT_MS = 900_000;
    static final List<String> EXTRA_PACKAGES = List.of("openjdk-17-jre-headless", "bubblewrap", "python3",
            "dbus-user-session");
    /** Libraries of the console only: the engine runs without them. */
    private static final List<String> CONSOLE_ONLY = List.of("javafx", "testfx", "monocle", "richtextfx", "atlantafx",
            "controlsfx", "ikonli", "jeditermfx", "flowless", "reactfx", "undofx", "wellbehavedfx", "archunit");
    /** The JVM in the guest: small and quick to start, as the guest's CPUs are emulated. */
    private static final String JAVA = "java -Xmx400m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp ";
    /** How {@code ./nube} starts the console: in a scope systemd's user manager delegates to it, where one runs. */
    private static final String IN_DELEGATED_SCOPE = "nube/delegated-scope ";

    @TempDir
    static Path temp;
    static Engine engine;
    static Instance instance;
    /** The guest's class path, in the order of this JVM's. */
    static String classPath;

    @BeforeAll
    static void bootAndCopyNube() throws Exception {
        engine = Engine.open(temp.resolve("home"));
        Image image = registerImage();
        KeyPair key = engine.keyPairs().create(REGION, "cgroup-key", KeyType.ED25519, 0).keyPair();
        instance = engine.instances().run(REGION, RunRequest.of(image.id(), "t3.medium", key.id())
                .withRootVolumeGiB(4)).get(0);
        assertTrue(engine.instances().awaitState(REGION, instance.id(), InstanceState.RUNNING, BOOT_MS),
                () -> instance.id() + " did not reach running; console:\n"
                        + engine.instances().consoleOutput(REGION, instance.id(), 6000));
        String[] ready = ssh(null, "cloud-init status --wait >/dev/null; sudo loginctl enable-linger admin"
                + " && systemctl --user is-system-running --wait; cat /sys/fs/cgroup/cgroup.controllers");
        assertTrue(ready[1].contains("memory") && ready[1].contains("pids"), ready[1]);
        Path staging = Files.createDirectories(temp.resolve("nube"));
        List<String> guestPath = new ArrayList<>();
        String testPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : testPath.split(File.pathSeparator)) {
            if (entry.isEmpty() || CONSOLE_ONLY.stream().anyMatch(entry::contains) || !Files.exists(Path.of(entry))) {
                continue;
            }
            String name = "cp-" + guestPath.size() + (entry.endsWith(".jar") ? ".jar" : "");
            Files.createSymbolicLink(staging.resolve(name), Path.of(entry).toAbsolutePath());
            guestPath.add("nube/" + name);
        }
        classPath = String.join(":", guestPath);
        Files.createSymbolicLink(staging.resolve("delegated-scope"), Path.of("packaging/delegated-scope")
                .toAbsolutePath());
        String[] copied = ssh("tar -C " + staging + " -chf - .", "mkdir -p nube && tar -xf - -C nube && du -sh nube");
        assertEquals("0", copied[0], copied[1]);
    }

    /** The Debian image with the packages the engine needs added, built (or taken from the cache) and registered. */
    private static Image registerImage() throws Exception {
        String id = Ids.newId(ResourceKind.IMAGE);
        Path folder = new ResourceCollection<>(ResourceKind.IMAGE, temp.resolve("home/regions").resolve(REGION),
                Image.class).folderOf(id);
        Path work = Files.createDirectories(temp.resolve("image"));
        DebianImageBuilder.Built built = new DebianImageBuilder(Engine.defaultCache(System.getenv()), EXTRA_PACKAGES)
                .build(work, (fraction, step) -> { });
        Image image = new Image(id, "debian-12-functions", "Debian 12 with " + EXTRA_PACKAGES, "x86_64",
                (int) (DebianImageBuilder.DISK_BYTES >> 30), 0, Instant.now(), "test", built.kernelRelease(),
                DebianImageBuilder.DEFAULT_USER, built.packages(), ImageState.AVAILABLE, null, Image.IMDS_V2,
                DebianImageBuilder.KERNEL_ARGS, null);
        DocumentStore.write(work.resolve(ResourceCollection.DOCUMENT), image);
        Files.createDirectories(folder.getParent());
        Files.move(work, folder);
        return engine.images().get(REGION, id);
    }

    @AfterAll
    static void terminate() {
        try {
            if (instance != null) {
                engine.instances().terminate(REGION, instance.id());
            }
        } finally {
            engine.close();
        }
    }

    private static String[] ssh(String input, String command) throws Exception {
        return EngineTestSupport.ssh(engine, REGION, instance.id(), input, command);
    }

    private static String java(String arguments) {
        return JAVA + classPath + " " + arguments;
    }

    @Test
    void limitsHoldInACgroupSystemdDelegatedToAnOrdinaryUser() throws Exception {
        List<String> tests = List.of("theSandboxModeIsReportedForTheStatusBar",
                "memoryOverTheLimitIsKilledAndSixtyFourMegabytesUnderSucceeds",
                "aRuntimeThatExitsOnceAForkIsRefusedSaysItReachedTheProcessLimit",
                "aForkBombIsContainedAndTheHostStaysResponsive",
                "anInfiniteLoopIsKilledAtItsTimeoutWithNothingLeftBehind");
        String[] run = ssh(null, IN_DELEGATED_SCOPE + java("-D" + GuestLimits.EXPECTED_MODE + "=CGROUP_V2 "
                + GuestLimits.class.getName() + " run " + String.join(" ", tests)) + " 2>&1 | grep -E \"^(PASS|FAIL|"
                + "DONE|CGROUP|LEFT) \"; exit ${PIPESTATUS[0]}");
        System.out.println(run[1]);
        for (String test : tests) {
            assertTrue(run[1].contains("PASS " + test + "()"), () -> test + " did not pass in the guest:\n" + run[1]);
        }
        assertEquals("0", run[0], run[1]);
        assertTrue(run[1].lines().anyMatch(l -> l.matches("CGROUP /user\\.slice/.*/run-.*\\.scope")),
                () -> "the JVM is back in the scope systemd made for it: " + run[1]);
        assertTrue(run[1].lines().noneMatch(l -> l.startsWith("LEFT ")), () -> "cgroups left: " + run[1]);
    }

    /** systemd-run with --scope runs the command itself (the JVM is $!); the scope ends with its last process. */
    @Test
    void nothingOfNubesIsLeftAfterTheEngineIsKilled() throws Exception {
        String[] run = ssh(null, "rm -f hold.log; " + IN_DELEGATED_SCOPE + java(GuestLimits.class.getName() + " hold")
                + " </dev/null >hold.log 2>&1 & jvm=$!; for i in $(seq 600); do grep -q ^HOLDING hold.log && break; sleep 1;"
                + " done; held=$(grep ^HOLDING hold.log | cut -d\" \" -f2-); echo \"HELD $held\";"
                + " kill -KILL $jvm; sleep 3;"
                + " for pid in $held; do [ -e /proc/$pid ] && echo ALIVE $pid $(cat /proc/$pid/cmdline | tr \"\\0\" \" \");"
                + " done; find /sys/fs/cgroup -name \"nube-*\" | sed \"s/^/LEFT /\"; true");
        System.out.println(run[1]);
        assertEquals("0", run[0], run[1]);
        assertTrue(run[1].lines().anyMatch(l -> l.matches("HELD [0-9]+( [0-9]+){2,}")),
                () -> "the invocation's processes were seen: " + run[1]);
        assertTrue(run[1].lines().noneMatch(l -> l.startsWith("ALIVE ") || l.startsWith("LEFT ")), run[1]);
    }

    @Test
    void theStatusSaysWhereCgroupsWereUsedAndWhatToDoWhereNot() throws Exception {
        String describe = java(GuestLimits.class.getName() + " describe");
        // An SSH login's session scope belongs to the system's manager, not the user's: no cgroup for Nube there.
        String[] plain = ssh(null, describe);
        assertEquals("0", plain[0], plain[1]);
        assertTrue(plain[1].contains("MODE WATCHDOG"), plain[1]);
        assertTrue(plain[1].contains("with `./nube`, which asks it for a delegated scope"), plain[1]);
        String[] delegated = ssh(null, IN_DELEGATED_SCOPE + describe);
        assertEquals("0", delegated[0], delegated[1]);
        assertTrue(delegated[1].contains("MODE CGROUP_V2"), delegated[1]);
        assertTrue(delegated[1].contains("STATUS bubblewrap "), delegated[1]);
        // A desktop's menu starts each application in a scope of the user manager, delegated or not.
        String[] menu = ssh(null, "systemd-run --user --scope --quiet " + describe);
        System.out.println(plain[1] + delegated[1] + menu[1]);
        assertEquals("0", menu[0], menu[1]);
    }
}
