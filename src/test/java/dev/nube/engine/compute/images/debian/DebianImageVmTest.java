package dev.nube.engine.compute.images.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImagePackage;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.instances.ConnectInfo;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.functions.EngineInGuest;
import dev.nube.engine.functions.GuestLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian 12 image, built here with mmdebstrap (from an empty cache on a fresh machine), and one instance of it
 * booted under whatever accelerator the machine gives, shared by the tests: launched with a key pair and a
 * {@code #cloud-config}, logged into with the stock ssh client as the console's SSH command says. Being a real
 * cgroup v2 system with systemd's user manager (a desktop's kind), the guest also runs the functions engine's limit
 * tests as the ordinary user {@code admin} (see {@link EngineInGuest}), started as {@code ./nube} starts the console.
 */
@Tag("vm")
class DebianImageVmTest {
    private static final String REGION = "local-1";
    /** Under TCG on a busy machine systemd and cloud-init take minutes; nothing asserts on time. */
    private static final long BOOT_MS = 900_000;
    private static final int VOLUME_GIB = 4;
    private static final String USER_DATA = """
            #cloud-config
            write_files:
              - path: /etc/nube-test/written
                content: written by cloud-init
            users:
              - default
              - name: extra
                shell: /bin/bash
            runcmd:
              - [ sh, -c, "echo ran > /var/tmp/runcmd-done" ]
            """;

    @TempDir
    static Path temp;
    static Engine engine;
    static KeyPair key;
    static Image image;
    static Instance instance;

    private static final long STARTED = System.currentTimeMillis() - 1000;

    @BeforeAll
    static void buildAndLaunch() throws Exception {
        engine = Engine.open(temp.resolve("home"));
        image = engine.images().ensureImage(REGION, ImageService.DEBIAN_IMAGE_NAME);
        key = engine.keyPairs().create(REGION, "debian-key", KeyType.ED25519, 0).keyPair();
        instance = engine.instances().run(REGION, RunRequest.of(image.id(), "t3.medium", key.id())
                .withRootVolumeGiB(VOLUME_GIB).withUserData(USER_DATA.getBytes(StandardCharsets.UTF_8))).get(0);
        assertTrue(engine.instances().awaitState(REGION, instance.id(), InstanceState.RUNNING, BOOT_MS),
                () -> instance.id() + " did not reach running; console:\n"
                        + engine.instances().consoleOutput(REGION, instance.id(), 6000));
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

    /** Runs {@code command} in the guest with the stock ssh client, as the console's SSH command; exit and output. */
    private static String[] ssh(String command) throws Exception {
        return dev.nube.engine.EngineTestSupport.ssh(engine, REGION, instance.id(), null, command);
    }

    /** What cloud-init says went wrong, for a failure's message. */
    private static String cloudInitErrors() {
        try {
            return "\n" + ssh("cloud-init status --long; sudo grep -E \"WARNING|ERROR|Traceback\""
                    + " /var/log/cloud-init.log | tail -40")[1];
        } catch (Exception e) {
            return "\n(cloud-init's log could not be read: " + e + ")";
        }
    }

    @Test
    void theImageListsItsPackagesAndBootsDirectly() {
        List<String> names = image.manifest().stream().map(ImagePackage::name).toList();
        for (String wanted : List.of("systemd", "openssh-server", "sudo", "cloud-init", "apt", "linux-image-cloud-amd64")) {
            assertTrue(names.contains(wanted), () -> wanted + " missing from " + names);
        }
        assertEquals("admin", image.sshUser());
        assertEquals(Image.IMDS_V2, image.imdsSupport());
        assertTrue(image.kernelRelease().endsWith("-cloud-amd64"), image.kernelRelease());
        assertEquals(DebianImageBuilder.KERNEL_ARGS, image.kernelArgs());
    }

    @Test
    void stockSshLogsInAsAdminAndCloudInitFinishes() throws Exception {
        assertTrue(engine.instances().connectInfo(REGION, instance.id()).sshCommand().contains(" admin@"),
                "the SSH command names the image's default user");
        String[] status = ssh("cloud-init status --wait");
        assertTrue(status[0].equals("0") && status[1].contains("status: done"), () -> status[1] + cloudInitErrors());
        String[] who = ssh("id -un; hostname; sudo -n true && echo sudo-ok");
        assertEquals("0", who[0], who[1]);
        List<String> lines = who[1].strip().lines().toList();
        assertEquals("admin", lines.get(lines.size() - 3));
        String ip = engine.instances().get(REGION, instance.id()).privateIp();
        assertEquals("ip-" + ip.replace('.', '-'), lines.get(lines.size() - 2),
                "the hostname comes from the metadata service");
        assertEquals("sudo-ok", lines.get(lines.size() - 1));
    }

    @Test
    void cloudConfigRanAndTheRootGrewToTheVolume() throws Exception {
        assertEquals("0", ssh("cloud-init status --wait")[0], DebianImageVmTest::cloudInitErrors);
        String[] files = ssh("cat /var/tmp/runcmd-done /etc/nube-test/written; echo; id -un extra;"
                + " df -B1 --output=size / | tail -1");
        assertEquals("0", files[0], files[1]);
        List<String> lines = files[1].strip().lines().toList();
        assertEquals(List.of("ran", "written by cloud-init", "extra"), lines.subList(0, 3), files[1]);
        long size = Long.parseLong(lines.get(3).strip());
        // ext4's own metadata takes a few percent of the volume.
        assertTrue(size > (VOLUME_GIB << 30) * 0.9 && size <= (long) VOLUME_GIB << 30, () -> "root is " + size
                + " bytes on a " + VOLUME_GIB + " GiB volume");
    }

    @Test
    void theGuestReadsMetadataOnlyWithALiveToken() throws Exception {
        String url = "http://169.254.169.254/latest/meta-data/instance-id";
        String put = "curl -s -X PUT -H \"X-aws-ec2-metadata-token-ttl-seconds: %d\""
                + " http://169.254.169.254/latest/api/token";
        String[] answers = ssh("curl -s -o /dev/null -w \"%{http_code}\\n\" " + url + ";"
                + " t=$(" + String.format(put, 60) + "); curl -s -H \"X-aws-ec2-metadata-token: $t\" " + url + "; echo;"
                + " old=$(" + String.format(put, 1) + "); sleep 3;"
                + " curl -s -o /dev/null -w \"%{http_code}\\n\" -H \"X-aws-ec2-metadata-token: $old\" " + url);
        assertEquals("0", answers[0], answers[1]);
        assertEquals(List.of("401", instance.id(), "401"), answers[1].strip().lines().toList(),
                "without a token, with one, with an expired one");
    }

    @Test
    void theBuildIsCachedWithItsLog() throws Exception {
        Path images = Engine.defaultCache(System.getenv()).resolve("images");
        try (var entries = Files.list(images)) {
            List<Path> all = entries.toList();
            assertTrue(all.stream().anyMatch(p -> p.getFileName().toString().startsWith("debian-12-")),
                    all::toString);
            // Work folders of this class's build (older ones may be another run's, cut short).
            List<Path> left = all.stream().filter(p -> p.getFileName().toString().startsWith(".build-"))
                    .filter(p -> p.toFile().lastModified() >= STARTED).toList();
            assertEquals(List.of(), left, "work folders left");
        }
        assertTrue(Files.readString(images.resolve("debian-build.log")).contains("I: success"));
    }

    /** The engine's class path in the guest, once it is installed there (see {@link #engineInGuest()}). */
    private static String guestClassPath;

    /** Installs the functions engine in the guest, once for the tests that use it; its JVM command. */
    private static synchronized String engineInGuest(String mainAndArguments) throws Exception {
        if (guestClassPath == null) {
            assertEquals("0", ssh("cloud-init status --wait")[0], DebianImageVmTest::cloudInitErrors);
            Path staging = temp.resolve("nube");
            String classPath = EngineInGuest.staging(staging);
            String[] copied = dev.nube.engine.EngineTestSupport.ssh(engine, REGION, instance.id(),
                    "tar -C " + staging + " -chf - .", "mkdir -p nube && tar -xf - -C nube && " + EngineInGuest.INSTALL);
            assertTrue(copied[0].equals("0") && copied[1].contains("memory") && copied[1].contains("pids"),
                    copied[1]);
            guestClassPath = classPath;
        }
        return EngineInGuest.JAVA + guestClassPath + " " + GuestLimits.class.getName() + " " + mainAndArguments;
    }

    @Test
    void functionLimitsHoldInACgroupSystemdDelegatesToAnOrdinaryUser() throws Exception {
        List<String> tests = List.of("theSandboxModeIsReportedForTheStatusBar",
                "memoryOverTheLimitIsKilledAndSixtyFourMegabytesUnderSucceeds",
                "aRuntimeThatExitsOnceAForkIsRefusedSaysItReachedTheProcessLimit",
                "aForkBombIsContainedAndTheHostStaysResponsive",
                "anInfiniteLoopIsKilledAtItsTimeoutWithNothingLeftBehind");
        String java = engineInGuest("run " + String.join(" ", tests)).replaceFirst(" -cp ",
                " -D" + GuestLimits.EXPECTED_MODE + "=CGROUP_V2 -cp ");
        String[] run = ssh(EngineInGuest.IN_DELEGATED_SCOPE + java
                + " 2>&1 | grep -E \"^(PASS|FAIL|DONE|CGROUP|LEFT) \"; exit ${PIPESTATUS[0]}");
        System.out.println(run[1]);
        for (String test : tests) {
            assertTrue(run[1].contains("PASS " + test + "()"), () -> test + " did not pass in the guest:\n" + run[1]);
        }
        assertEquals("0", run[0], run[1]);
        assertTrue(run[1].lines().anyMatch(l -> l.matches("CGROUP /user\\.slice/.*/run-.*\\.scope")),
                () -> "the closed engine gave the JVM back to the scope systemd made for it: " + run[1]);
        assertTrue(run[1].lines().noneMatch(l -> l.startsWith("LEFT ")), () -> "cgroups left: " + run[1]);
    }

    /** systemd-run with --scope runs the command itself (the JVM is $!); the scope ends with its last process. */
    @Test
    void nothingOfTheFunctionsEngineIsLeftAfterItIsKilled() throws Exception {
        String[] run = ssh("rm -f hold.log; " + EngineInGuest.IN_DELEGATED_SCOPE + engineInGuest("hold")
                + " </dev/null >hold.log 2>&1 & jvm=$!; for i in $(seq 600); do grep -q ^HOLDING hold.log && break;"
                + " sleep 1; done; held=$(grep ^HOLDING hold.log | cut -d\" \" -f2-); echo \"HELD $held\";"
                + " kill -KILL $jvm; sleep 3;"
                + " for pid in $held; do [ -e /proc/$pid ] && echo ALIVE $pid $(tr \"\\0\" \" \" < /proc/$pid/cmdline);"
                + " done; find /sys/fs/cgroup -name \"nube-*\" | sed \"s/^/LEFT /\"; true");
        System.out.println(run[1]);
        assertEquals("0", run[0], run[1]);
        assertTrue(run[1].lines().anyMatch(l -> l.matches("HELD [0-9]+( [0-9]+){2,}")),
                () -> "the invocation's processes were seen: " + run[1]);
        assertTrue(run[1].lines().noneMatch(l -> l.startsWith("ALIVE ") || l.startsWith("LEFT ")), run[1]);
    }

    @Test
    void theFunctionsStatusSaysWhereCgroupsWereUsedAndWhatToDoWhereNot() throws Exception {
        String describe = engineInGuest("describe");
        // An SSH login's session scope belongs to the system's manager, not the user's: no cgroup for Nube there.
        String[] plain = ssh(describe);
        assertEquals("0", plain[0], plain[1]);
        assertTrue(plain[1].contains("MODE WATCHDOG"), plain[1]);
        assertTrue(plain[1].contains("with `./nube`, which asks it for a delegated scope"), plain[1]);
        String[] delegated = ssh(EngineInGuest.IN_DELEGATED_SCOPE + describe);
        assertEquals("0", delegated[0], delegated[1]);
        assertTrue(delegated[1].contains("MODE CGROUP_V2"), delegated[1]);
        assertTrue(delegated[1].contains("STATUS bubblewrap "), delegated[1]);
        // A desktop's menu starts each application in a scope of the user manager, not delegated but the user's
        // own: memory and pids are offered there (the cpu controller is not).
        String[] menu = ssh("systemd-run --user --scope --quiet " + describe);
        assertEquals("0", menu[0], menu[1]);
        assertTrue(menu[1].contains("MODE CGROUP_V2"), menu[1]);
    }
}
