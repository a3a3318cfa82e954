package dev.nube.engine.api.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.api.ApiTestSupport;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.VmTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * EC2's instance actions on real guests, through the real AWS CLI: two instances launched by one run-instances (with
 * a Name tag and user data) serve every test of the class, in order: waiters, console output, tags both ways,
 * filters and pagination, a volume attached to a running guest and snapshotted, stop, type change, start and
 * terminate. Whatever is left is terminated at the end.
 */
@Tag("vm")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ec2InstancesVmTest {
    private static final String REGION = VmTestSupport.REGION;
    /** A waiter polls every 15 s up to 40 times. */
    private static final long WAIT_SECONDS = 660;

    @TempDir
    static Path temp;
    private static VmTestSupport vm;
    private static ApiTestSupport api;
    private static List<String> ids;

    @BeforeAll
    static void start() throws Exception {
        vm = new VmTestSupport(temp.resolve("data"));
        api = ApiTestSupport.start(vm.engine, temp.resolve("scratch"));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (vm != null) {
            vm.close();
        }
    }

    /** The reservation of the launch of both instances. */
    static String reservation;

    private static ApiTestSupport.Result aws(String... args) throws Exception {
        return api.aws(Map.of(), WAIT_SECONDS, args).ok();
    }

    @Test
    @Order(1)
    void runInstancesLaunchesTwoNamedInstancesAndTheWaiterSeesThemRunning() throws Exception {
        JsonNode run = aws("ec2", "run-instances", "--image-id", vm.image.id(), "--instance-type", "t3.nano",
                "--count", "2", "--key-name", vm.keyPair.name(), "--user-data", "#!/bin/sh\necho api-user-data\n",
                "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=api-vm},{Key=team,Value=ops}]",
                "--metadata-options", "HttpTokens=optional").json();
        JsonNode launched = run.get("Instances");
        assertEquals(2, launched.size());
        reservation = run.get("ReservationId").asText();
        ids = new ArrayList<>();
        launched.forEach(i -> ids.add(i.get("InstanceId").asText()));
        assertEquals("pending", launched.get(0).get("State").get("Name").asText());
        assertEquals(0, launched.get(0).get("State").get("Code").asInt());
        assertEquals("api-vm", vm.instances().get(REGION, ids.get(0)).name(), "the Name tag is the instance's name");
        assertTrue(vm.instances().get(REGION, ids.get(1)).hasUserData());

        List<String> wait = new ArrayList<>(List.of("ec2", "wait", "instance-running", "--instance-ids"));
        wait.addAll(ids);
        aws(wait.toArray(String[]::new));
        for (String id : ids) {
            assertEquals(InstanceState.RUNNING, vm.instances().get(REGION, id).state());
        }
        JsonNode described = aws("ec2", "describe-instances", "--instance-ids", ids.get(0)).json()
                .get("Reservations").get(0).get("Instances").get(0);
        assertEquals(16, described.get("State").get("Code").asInt());
        assertEquals("t3.nano", described.get("InstanceType").asText());
        assertEquals(vm.keyPair.name(), described.get("KeyName").asText());
        assertEquals("local-1a", described.get("Placement").get("AvailabilityZone").asText());
        assertNotNull(described.get("PrivateIpAddress"));
        assertEquals("optional", described.get("MetadataOptions").get("HttpTokens").asText(), "as launched");
        JsonNode modified = aws("ec2", "modify-instance-metadata-options", "--instance-id", ids.get(0),
                "--http-tokens", "required").json();
        assertEquals("required", modified.get("InstanceMetadataOptions").get("HttpTokens").asText());
        assertEquals("required", vm.instances().get(REGION, ids.get(0)).httpTokens());
        assertEquals("optional", vm.instances().get(REGION, ids.get(1)).httpTokens());
        assertEquals("v2.0", aws("ec2", "describe-images", "--image-ids", vm.image.id()).json().get("Images").get(0)
                .get("ImdsSupport").asText(), "Nube's image asks for tokens");
    }

    @Test
    @Order(2)
    void consoleOutputIsTheGuestsBootLog() throws Exception {
        JsonNode console = aws("ec2", "get-console-output", "--instance-id", ids.get(0)).json();
        // CLI v2 decodes the base64 output itself.
        String text = console.get("Output").asText();
        assertTrue(text.contains("Linux version"), text);
        assertNotNull(console.get("Timestamp"));
        String raw = api.ec2("Action=GetConsoleOutput&Version=2016-11-15&InstanceId=" + ids.get(0)).body();
        String encoded = raw.replaceAll("(?s).*<output>([^<]*)</output>.*", "$1");
        assertTrue(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).contains("Linux version"));
    }

    @Test
    @Order(3)
    void tagsAndTheInstanceNameAreOneAndFiltersFindThem() throws Exception {
        String first = ids.get(0);
        String second = ids.get(1);
        aws("ec2", "create-tags", "--resources", first, "--tags", "Key=Name,Value=renamed", "Key=role,Value=web");
        assertEquals("renamed", vm.instances().get(REGION, first).name());
        vm.instances().rename(REGION, second, "console-name");
        JsonNode tags = aws("ec2", "describe-tags", "--filters", "Name=resource-id,Values=" + second,
                "Name=key,Values=Name").json().get("Tags");
        assertEquals("console-name", tags.get(0).get("Value").asText(), "a rename in the console is the Name tag");

        JsonNode byName = aws("ec2", "describe-instances", "--filters", "Name=tag:Name,Values=renamed").json()
                .get("Reservations");
        assertEquals(1, byName.size());
        assertEquals(first, byName.get(0).get("Instances").get(0).get("InstanceId").asText());
        JsonNode running = aws("ec2", "describe-instances", "--filters", "Name=instance-state-name,Values=running",
                "Name=tag:team,Values=ops").json().get("Reservations");
        assertEquals(1, running.size(), "one launch, one reservation");
        assertEquals(2, running.get(0).get("Instances").size());
        assertEquals(0, aws("ec2", "describe-instances", "--filters", "Name=instance-state-name,Values=stopped")
                .json().get("Reservations").size());

        aws("ec2", "delete-tags", "--resources", first, "--tags", "Key=role", "Key=Name");
        assertEquals("", vm.instances().get(REGION, first).name());
        JsonNode left = aws("ec2", "describe-tags", "--filters", "Name=resource-id,Values=" + first).json()
                .get("Tags");
        assertEquals(1, left.size(), left::toString);
        assertEquals("team", left.get(0).get("Key").asText());
    }

    @Test
    @Order(4)
    void oneLaunchIsOneReservationAndStatusesPageOneInstanceAtATime() throws Exception {
        JsonNode reservations = aws("ec2", "describe-instances").json().get("Reservations");
        assertEquals(1, reservations.size());
        assertEquals(reservation, reservations.get(0).get("ReservationId").asText());
        Set<String> grouped = new HashSet<>();
        reservations.get(0).get("Instances").forEach(i -> grouped.add(i.get("InstanceId").asText()));
        assertEquals(new HashSet<>(ids), grouped);
        assertEquals(1, aws("ec2", "describe-instances", "--filters", "Name=reservation-id,Values=" + reservation)
                .json().get("Reservations").size());

        JsonNode page = aws("ec2", "describe-instance-status", "--max-items", "1").json();
        assertEquals(1, page.get("InstanceStatuses").size());
        String token = page.get("NextToken").asText();
        JsonNode rest = aws("ec2", "describe-instance-status", "--max-items", "1", "--starting-token", token).json();
        assertEquals(1, rest.get("InstanceStatuses").size());
        Set<String> seen = new HashSet<>();
        seen.add(page.get("InstanceStatuses").get(0).get("InstanceId").asText());
        seen.add(rest.get("InstanceStatuses").get(0).get("InstanceId").asText());
        assertEquals(new HashSet<>(ids), seen);
        JsonNode status = aws("ec2", "describe-instance-status", "--instance-ids", ids.get(0)).json()
                .get("InstanceStatuses").get(0);
        assertEquals("ok", status.get("InstanceStatus").get("Status").asText());
    }

    @Test
    @Order(5)
    void aVolumeIsAttachedToTheRunningGuestDetachedSnapshottedAndDeleted() throws Exception {
        String instance = ids.get(0);
        JsonNode created = aws("ec2", "create-volume", "--size", "1", "--availability-zone", "local-1a",
                "--tag-specifications", "ResourceType=volume,Tags=[{Key=Name,Value=data},{Key=tier,Value=hot}]")
                .json();
        String volume = created.get("VolumeId").asText();
        assertEquals("data", vm.engine.volumes().get(REGION, volume).name());
        aws("ec2", "attach-volume", "--volume-id", volume, "--instance-id", instance, "--device", "/dev/sdf");
        aws("ec2", "wait", "volume-in-use", "--volume-ids", volume);
        dev.nube.engine.EngineTestSupport.waitUntil("the guest lists " + volume, 60, () -> vm.ssh(instance,
                "cat /sys/block/vd*/serial 2>/dev/null").contains(volume.replace("-", "")));
        JsonNode mappings = aws("ec2", "describe-instances", "--instance-ids", instance).json().get("Reservations")
                .get(0).get("Instances").get(0).get("BlockDeviceMappings");
        assertEquals(2, mappings.size(), mappings::toString);
        assertEquals(volume, mappings.get(1).get("Ebs").get("VolumeId").asText());

        aws("ec2", "detach-volume", "--volume-id", volume);
        aws("ec2", "wait", "volume-available", "--volume-ids", volume);
        String snapshot = aws("ec2", "create-snapshot", "--volume-id", volume, "--description", "api test").json()
                .get("SnapshotId").asText();
        aws("ec2", "wait", "snapshot-completed", "--snapshot-ids", snapshot);
        JsonNode snapshots = aws("ec2", "describe-snapshots", "--owner-ids", "self", "--filters",
                "Name=volume-id,Values=" + volume).json().get("Snapshots");
        assertEquals(1, snapshots.size());
        assertEquals("api test", snapshots.get(0).get("Description").asText());
        aws("ec2", "delete-snapshot", "--snapshot-id", snapshot);
        aws("ec2", "delete-volume", "--volume-id", volume);
        ApiTestSupport.Result gone = api.aws("ec2", "describe-volumes", "--volume-ids", volume);
        assertTrue(gone.err().contains("InvalidVolume.NotFound"), gone.err());
        assertEquals(0, aws("ec2", "describe-tags", "--filters", "Name=resource-id,Values=" + volume).json()
                .get("Tags").size(), "a deleted volume's tags are gone");
    }

    @Test
    @Order(6)
    void stopChangeTypeStartAndTerminate() throws Exception {
        String id = ids.get(1);
        JsonNode stopped = aws("ec2", "stop-instances", "--instance-ids", id).json().get("StoppingInstances").get(0);
        assertEquals("running", stopped.get("PreviousState").get("Name").asText());
        aws("ec2", "wait", "instance-stopped", "--instance-ids", id);
        assertEquals(InstanceState.STOPPED, vm.instances().get(REGION, id).state());
        aws("ec2", "modify-instance-attribute", "--instance-id", id, "--instance-type", "Value=t3.micro");
        JsonNode started = aws("ec2", "start-instances", "--instance-ids", id).json().get("StartingInstances")
                .get(0);
        assertEquals(80, started.get("PreviousState").get("Code").asInt());
        assertNotEquals("stopped", started.get("CurrentState").get("Name").asText());
        assertEquals("t3.micro", aws("ec2", "describe-instances", "--instance-ids", id).json().get("Reservations")
                .get(0).get("Instances").get(0).get("InstanceType").asText());

        List<String> terminate = new ArrayList<>(List.of("ec2", "terminate-instances", "--instance-ids"));
        terminate.addAll(ids);
        JsonNode ended = aws(terminate.toArray(String[]::new)).json().get("TerminatingInstances");
        assertEquals(2, ended.size());
        List<String> wait = new ArrayList<>(List.of("ec2", "wait", "instance-terminated", "--instance-ids"));
        wait.addAll(ids);
        aws(wait.toArray(String[]::new));
        for (String i : ids) {
            assertEquals(InstanceState.TERMINATED, vm.instances().get(REGION, i).state());
        }
    }
}
