package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;

/**
 * What the VM tests share: an engine on a data folder of their own (one per test class, so the whole suite fits
 * the machine), the tiny image (built once and then taken from the user's cache), a key pair, and SSH through sshj.
 * Under TCG on a busy machine boots are slow: deadlines are generous and nothing asserts on time.
 */
public final class VmTestSupport implements AutoCloseable {
    public static final String REGION = "local-1";
    public static final long BOOT_MS = 180_000;
    /** sshj logs every connection at INFO; kept here so the setting is not garbage-collected. */
    private static final java.util.logging.Logger SSHJ_LOG = java.util.logging.Logger.getLogger("net.schmizz");

    static {
        SSHJ_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    public final Engine engine;
    public final Image image;
    public final KeyPair keyPair;

    public VmTestSupport(Path home) {
        this(Engine.open(home));
    }

    /** On an engine already open (e.g. with a QEMU of the test's own). */
    public VmTestSupport(Engine engine) {
        this.engine = engine;
        // Launches boot, as they did before launch templates: a template would cost each class another boot.
        // RestoreLaunchVmTest turns restore launches on and proves them.
        engine.instances().setRestoreLaunches(false);
        image = engine.images().ensureTinyImage(REGION);
        keyPair = engine.keyPairs().list(REGION).items().stream().filter(k -> k.name().equals("test-key")).findFirst()
                .orElseGet(() -> engine.keyPairs().create(REGION, "test-key", KeyType.ED25519, 0).keyPair());
    }

    public InstanceService instances() {
        return engine.instances();
    }

    public Instance launch(RunRequest request) throws InterruptedException {
        Instance instance = instances().run(REGION, request).get(0);
        awaitRunning(instance.id());
        return instances().get(REGION, instance.id());
    }

    public Instance launch() throws InterruptedException {
        return launch(RunRequest.of(image.id(), "t3.nano", keyPair.id()));
    }

    public void awaitRunning(String id) throws InterruptedException {
        awaitRunning(REGION, id);
    }

    public void awaitRunning(String region, String id) throws InterruptedException {
        assertTrue(instances().awaitState(region, id, InstanceState.RUNNING, BOOT_MS), () -> id + " did not reach"
                + " running; it is " + instances().get(region, id).state() + "; console:\n"
                + instances().consoleOutput(region, id, 4000));
    }

    /** A guest shell command that prints an IMDSv2 session token, asked for as the guest's own boot asks. */
    public static final String PUT_TOKEN = "printf 'PUT /latest/api/token HTTP/1.0\\r\\n"
            + "X-aws-ec2-metadata-token-ttl-seconds: 60\\r\\n\\r\\n' | nc 169.254.169.254 80 | sed -n '$p'";

    /**
     * A guest shell command that reads {@code path} (e.g. /latest/meta-data/instance-id) from the metadata service
     * with a session token, as instances of Nube's image must: {@code wget} with {@code options} and the URL.
     */
    public static String imds(String options, String path) {
        return "wget " + options + " --header \"X-aws-ec2-metadata-token: $(" + PUT_TOKEN + ")\""
                + " http://169.254.169.254" + path;
    }

    /** As {@link #imds(String, String)}, printing the document. */
    public static String imds(String path) {
        return imds("-q -O -", path);
    }

    /** Runs a shell command in the guest over SSH with the instance's key pair and returns its output. */
    public String ssh(String id, String command) throws IOException {
        return ssh(REGION, id, command);
    }

    /** As {@link #ssh(String, String)}, for an instance of {@code region}. */
    public String ssh(String region, String id, String command) throws IOException {
        ConnectInfo connect = instances().connectInfo(region, id);
        try (SSHClient ssh = new SSHClient()) {
            ssh.addHostKeyVerifier(new PromiscuousVerifier());
            ssh.setConnectTimeout(30_000);
            ssh.setTimeout(120_000);
            ssh.connect(connect.host(), connect.port());
            // An imported copy of the test key (another region) has no private key in Nube: the test's own is used.
            java.nio.file.Path key = connect.privateKeyFile() != null ? connect.privateKeyFile()
                    : engine.keyPairs().privateKeyFile(REGION, keyPair.id());
            ssh.authPublickey(connect.user(), ssh.loadKeys(key.toString()));
            try (Session session = ssh.startSession()) {
                Session.Command cmd = session.exec(command);
                String out = new String(cmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                cmd.join(120, TimeUnit.SECONDS);
                return out;
            }
        }
    }

    private String regionOf(String instanceId) {
        return engine.regions().list().stream().map(r -> r.name()).filter(r -> instances().list(r).items().stream()
                .anyMatch(i -> i.id().equals(instanceId))).findFirst().orElse(REGION);
    }

    /** Terminates what is left in every region, so no QEMU outlives the test class. */
    @Override
    public void close() {
        try {
            for (Instance instance : engine.regions().list().stream().flatMap(r -> instances().list(r.name()).items()
                    .stream()).toList()) {
                if (instance.state() != InstanceState.TERMINATED && instance.state() != InstanceState.SHUTTING_DOWN) {
                    try {
                        instances().terminate(regionOf(instance.id()), instance.id());
                    } catch (RuntimeException e) {
                        System.err.println("cleanup of " + instance.id() + ": " + e.getMessage());
                    }
                }
            }
        } finally {
            engine.close();
        }
    }
}
