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
 * {@code #cloud-config}, logged into with the stock ssh client as the console's SSH command says.
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
        instance = engine.instances().run(REGION, RunRequest.of(image.id(), "t3.micro", key.id())
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
}
