package dev.nube.engine.api.ec2;

import dev.nube.engine.api.ApiTestBase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.api.ApiTestSupport;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * EC2's Query actions that need no guest, driven through the real AWS CLI (and raw signed requests where the CLI
 * would hide what the server answered): key pairs, security groups, tags, instance types, regions, DryRun, bad
 * parameters and pagination. One engine (without KVM) serves the whole class.
 */
class Ec2ApiTest extends ApiTestBase {
    private static ApiTestSupport.Result fails(String code, String... args) throws Exception {
        ApiTestSupport.Result result = api.aws(args);
        assertNotEquals(0, result.exit(), () -> "expected " + code + ", got: " + result.out());
        assertTrue(result.err().contains("(" + code + ")"), () -> "expected " + code + ", got: " + result.err());
        return result;
    }

    @Test
    void keyPairsAreCreatedImportedDescribedAndDeleted() throws Exception {
        JsonNode created = api.aws("ec2", "create-key-pair", "--key-name", "kp-one", "--key-type", "ed25519").ok()
                .json();
        assertTrue(created.get("KeyMaterial").asText().startsWith("-----BEGIN"), created::toString);
        assertTrue(created.get("KeyPairId").asText().startsWith("key-"));
        fails("InvalidKeyPair.Duplicate", "ec2", "create-key-pair", "--key-name", "kp-one");

        Path key = dir.resolve("imported");
        EngineTestSupport.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        JsonNode imported = api.aws("ec2", "import-key-pair", "--key-name", "kp-two", "--public-key-material",
                "fileb://" + key + ".pub").ok().json();
        assertEquals("kp-two", imported.get("KeyName").asText());

        JsonNode both = api.aws("ec2", "describe-key-pairs", "--key-names", "kp-one", "kp-two",
                "--include-public-key").ok().json().get("KeyPairs");
        assertEquals(2, both.size());
        assertEquals("ed25519", both.get(0).get("KeyType").asText());
        assertEquals(Files.readString(Path.of(key + ".pub")).strip().split(" ")[1],
                both.get(1).get("PublicKey").asText().split(" ")[1]);
        JsonNode byFilter = api.aws("ec2", "describe-key-pairs", "--filters", "Name=key-name,Values=kp-t*").ok()
                .json().get("KeyPairs");
        assertEquals(1, byFilter.size());
        assertEquals(imported.get("KeyPairId").asText(), byFilter.get(0).get("KeyPairId").asText());

        api.aws("ec2", "delete-key-pair", "--key-name", "kp-one").ok();
        fails("InvalidKeyPair.NotFound", "ec2", "describe-key-pairs", "--key-names", "kp-one");
        api.aws("ec2", "delete-key-pair", "--key-pair-id", imported.get("KeyPairId").asText()).ok();
    }

    @Test
    void securityGroupRulesAreAuthorizedDescribedAndRevoked() throws Exception {
        String id = api.aws("ec2", "create-security-group", "--group-name", "web", "--description", "web servers")
                .ok().json().get("GroupId").asText();
        fails("InvalidGroup.Duplicate", "ec2", "create-security-group", "--group-name", "web", "--description", "x");
        api.aws("ec2", "authorize-security-group-ingress", "--group-id", id, "--protocol", "tcp", "--port", "22",
                "--cidr", "10.0.0.0/8").ok();
        JsonNode rules = api.aws("ec2", "authorize-security-group-ingress", "--group-name", "web", "--ip-permissions",
                "IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=0.0.0.0/0},{CidrIp=192.168.0.0/16,"
                        + "Description=lan}]").ok().json().get("SecurityGroupRules");
        assertEquals(2, rules.size());
        assertTrue(rules.get(0).get("SecurityGroupRuleId").asText().startsWith("sgr-"));
        fails("InvalidPermission.Duplicate", "ec2", "authorize-security-group-ingress", "--group-id", id,
                "--protocol", "tcp", "--port", "22", "--cidr", "10.0.0.0/8");

        JsonNode group = api.aws("ec2", "describe-security-groups", "--group-ids", id).ok().json()
                .get("SecurityGroups").get(0);
        assertEquals("web servers", group.get("Description").asText());
        JsonNode in = group.get("IpPermissions");
        assertEquals(2, in.size(), in::toString);
        assertEquals(22, in.get(0).get("FromPort").asInt());
        assertEquals("10.0.0.0/8", in.get(0).get("IpRanges").get(0).get("CidrIp").asText());
        assertEquals(2, in.get(1).get("IpRanges").size());
        assertEquals("lan", in.get(1).get("IpRanges").get(1).get("Description").asText());

        api.aws("ec2", "revoke-security-group-ingress", "--group-id", id, "--protocol", "tcp", "--port", "22",
                "--cidr", "10.0.0.0/8").ok();
        fails("InvalidPermission.NotFound", "ec2", "revoke-security-group-ingress", "--group-id", id, "--protocol",
                "tcp", "--port", "22", "--cidr", "10.0.0.0/8");
        JsonNode after = api.aws("ec2", "describe-security-groups", "--group-names", "web").ok().json()
                .get("SecurityGroups").get(0).get("IpPermissions");
        assertEquals(1, after.size());
        assertEquals(80, after.get(0).get("ToPort").asInt());

        api.aws("ec2", "delete-security-group", "--group-id", id).ok();
        fails("InvalidGroup.NotFound", "ec2", "describe-security-groups", "--group-ids", id);
    }

    @Test
    void tagsOnKeyPairsAndGroupsAreListedFilteredAndPublished() throws Exception {
        String groupId = api.aws("ec2", "create-security-group", "--group-name", "tagged", "--description", "t",
                "--tag-specifications", "ResourceType=security-group,Tags=[{Key=team,Value=blue}]").ok().json()
                .get("GroupId").asText();
        String keyId = api.aws("ec2", "create-key-pair", "--key-name", "tagged-key").ok().json().get("KeyPairId")
                .asText();
        List<ResourceChanged> changes = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.events().subscribe(e -> {
            if (e instanceof ResourceChanged c) {
                changes.add(c);
            }
        })) {
            api.aws("ec2", "create-tags", "--resources", groupId, keyId, "--tags", "Key=env,Value=test").ok();
        }
        assertTrue(changes.contains(new ResourceChanged("local-1", ResourceKind.KEY_PAIR, keyId,
                ResourceChanged.Change.UPDATED)), changes::toString);

        JsonNode groupTags = api.aws("ec2", "describe-tags", "--filters", "Name=resource-id,Values=" + groupId).ok()
                .json().get("Tags");
        assertEquals(2, groupTags.size(), groupTags::toString);
        assertEquals("security-group", groupTags.get(0).get("ResourceType").asText());
        JsonNode tagged = api.aws("ec2", "describe-security-groups", "--filters", "Name=tag:env,Values=test").ok()
                .json().get("SecurityGroups");
        assertEquals(1, tagged.size());
        assertEquals(groupId, tagged.get(0).get("GroupId").asText());
        JsonNode keys = api.aws("ec2", "describe-key-pairs", "--filters", "Name=tag-key,Values=env").ok().json()
                .get("KeyPairs");
        assertEquals("tagged-key", keys.get(0).get("KeyName").asText());
        assertEquals("test", keys.get(0).get("Tags").get(0).get("Value").asText());

        api.aws("ec2", "delete-tags", "--resources", groupId, "--tags", "Key=env,Value=other").ok();
        assertEquals(2, api.aws("ec2", "describe-tags", "--filters", "Name=resource-id,Values=" + groupId).ok()
                .json().get("Tags").size(), "a value that does not match deletes nothing");
        api.aws("ec2", "delete-tags", "--resources", groupId, "--tags", "Key=env").ok();
        assertEquals("team", api.aws("ec2", "describe-tags", "--filters", "Name=resource-id,Values=" + groupId)
                .ok().json().get("Tags").get(0).get("Key").asText());

        fails("InvalidGroup.NotFound", "ec2", "create-tags", "--resources", "sg-00000000000000000", "--tags",
                "Key=a,Value=b");
        fails("InvalidID", "ec2", "create-tags", "--resources", "thing-123", "--tags", "Key=a,Value=b");
        fails("InvalidParameterValue", "ec2", "create-tags", "--resources", groupId, "--tags", "Key=aws:x,Value=b");
        fails("InvalidParameterValue", "ec2", "create-tags", "--resources", groupId, "--tags",
                "Key=" + "k".repeat(129) + ",Value=b");
        List<String> many = new ArrayList<>(List.of("ec2", "create-tags", "--resources", groupId, "--tags"));
        for (int i = 0; i < 50; i++) {
            many.add("Key=k" + i + ",Value=v");
        }
        fails("TagLimitExceeded", many.toArray(String[]::new));

        api.aws("ec2", "delete-key-pair", "--key-name", "tagged-key").ok();
        JsonNode left = api.aws("ec2", "describe-tags", "--filters", "Name=resource-type,Values=key-pair").ok().json()
                .get("Tags");
        assertEquals(0, left.size(), "a deleted key pair's tags are gone: " + left);
    }

    @Test
    void instanceTypesRegionsAndZonesAreDescribed() throws Exception {
        JsonNode types = api.aws("ec2", "describe-instance-types").ok().json().get("InstanceTypes");
        assertEquals(engine.instances().instanceTypes().size(), types.size());
        JsonNode micro = api.aws("ec2", "describe-instance-types", "--instance-types", "t3.micro").ok().json()
                .get("InstanceTypes").get(0);
        assertEquals(1, micro.get("VCpuInfo").get("DefaultVCpus").asInt());
        assertEquals(1024, micro.get("MemoryInfo").get("SizeInMiB").asInt());
        fails("InvalidInstanceType", "ec2", "describe-instance-types", "--instance-types", "m5.huge");

        JsonNode regions = api.aws("ec2", "describe-regions").ok().json().get("Regions");
        assertEquals("local-1", regions.get(0).get("RegionName").asText());
        JsonNode zones = api.aws("ec2", "describe-availability-zones").ok().json().get("AvailabilityZones");
        assertEquals("local-1a", zones.get(0).get("ZoneName").asText());
    }

    @Test
    void anImportedImageIsDescribedWithItsBootMode() throws Exception {
        // A disk whose MBR holds boot code: it boots by the BIOS.
        Path disk = Files.createTempFile("bios-disk-", ".raw");
        try {
            byte[] mbr = new byte[1 << 20];
            for (int i = 0; i < 440; i++) {
                mbr[i] = (byte) (i + 1);
            }
            mbr[510] = 0x55;
            mbr[511] = (byte) 0xaa;
            Files.write(disk, mbr);
            String id = engine.imageBackups().importImage("local-1", new dev.nube.engine.compute.images.ImageImport
                    .Request(disk, "bios-disk", "", null, null)).id();
            EngineTestSupport.waitUntil(id + " available", 60, () -> engine.images().get("local-1", id).available());
            JsonNode image = api.aws("ec2", "describe-images", "--image-ids", id).ok().json().get("Images").get(0);
            assertEquals("legacy-bios", image.get("BootMode").asText());
            assertNull(image.get("ImdsSupport"), "nothing is known of the guest's use of tokens");
            engine.images().deregister("local-1", id);
        } finally {
            Files.deleteIfExists(disk);
        }
    }

    @Test
    void dryRunAnswersDryRunOperationAndChangesNothing() throws Exception {
        fails("DryRunOperation", "ec2", "create-key-pair", "--key-name", "dry", "--dry-run");
        fails("InvalidKeyPair.NotFound", "ec2", "describe-key-pairs", "--key-names", "dry");
        fails("DryRunOperation", "ec2", "create-security-group", "--group-name", "dry", "--description", "d",
                "--dry-run");
        fails("InvalidGroup.NotFound", "ec2", "describe-security-groups", "--group-names", "dry");
        fails("DryRunOperation", "ec2", "describe-instances", "--dry-run");
        // Checked before DryRun answers: a DryRun that would fail says why.
        fails("InvalidAMIID.NotFound", "ec2", "run-instances", "--image-id", "ami-00000000000000000", "--count", "1",
                "--dry-run");
    }

    @Test
    void badParametersGetEc2sCodes() throws Exception {
        fails("InvalidParameterValue", "ec2", "run-instances", "--image-id", "ami-00000000000000000", "--count", "0");
        fails("InvalidInstanceID.Malformed", "ec2", "describe-instances", "--instance-ids", "i-xyz");
        fails("InvalidInstanceID.NotFound", "ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0");
        fails("InvalidParameterCombination", "ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0",
                "--max-results", "5");
        fails("InvalidParameterValue", "ec2", "describe-instances", "--filters", "Name=colour,Values=blue");
        HttpResponse<String> two = api.ec2("Action=DescribeInstances&Version=2016-11-15&MaxResults=2");
        assertEquals(400, two.statusCode());
        assertTrue(two.body().contains("<Code>InvalidParameterValue</Code>"), two.body());
        HttpResponse<String> unknown = api.ec2("Action=LaunchRocket&Version=2016-11-15");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("<Code>InvalidAction</Code>"), unknown.body());
        HttpResponse<String> token = api.ec2("Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=5"
                + "&NextToken=bm90LWEtdG9rZW4");
        assertTrue(token.body().contains("<Code>InvalidParameterValue</Code>"), token.body());
    }

    @Test
    void describeSecurityGroupsPagesWithMaxResultsAndNextToken() throws Exception {
        engine.regions().create("pages-1", null);
        for (int i = 0; i < 6; i++) {
            api.aws("ec2", "create-security-group", "--region", "pages-1", "--group-name", "g" + i, "--description",
                    "page test").ok();
        }
        String first = api.signed("ec2", "pages-1", java.time.Instant.now(), "POST", "/",
                java.util.Map.of("content-type", "application/x-www-form-urlencoded"),
                "Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=5".getBytes(StandardCharsets.UTF_8))
                .body();
        assertEquals(5, count(first, "<groupId>"), first);
        Matcher next = Pattern.compile("<nextToken>([^<]+)</nextToken>").matcher(first);
        assertTrue(next.find(), first);
        String second = api.signed("ec2", "pages-1", java.time.Instant.now(), "POST", "/",
                java.util.Map.of("content-type", "application/x-www-form-urlencoded"),
                ("Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=5&NextToken="
                        + URLEncoder.encode(next.group(1), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8))
                .body();
        assertEquals(2, count(second, "<groupId>"), second);
        assertFalse(second.contains("<nextToken>"), second);

        // The CLI follows the tokens itself and shows every group once.
        JsonNode all = api.aws("ec2", "describe-security-groups", "--region", "pages-1", "--page-size", "5").ok()
                .json().get("SecurityGroups");
        assertEquals(7, all.size());
        assertEquals(7, java.util.stream.StreamSupport.stream(all.spliterator(), false)
                .map(g -> g.get("GroupId").asText()).distinct().count());
        JsonNode one = api.aws("ec2", "describe-security-groups", "--region", "pages-1", "--max-items", "1").ok()
                .json();
        assertEquals(1, one.get("SecurityGroups").size());
        assertNull(one.get("NextToken") == null ? "missing" : null, "the CLI offers a token to go on");
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }
}
