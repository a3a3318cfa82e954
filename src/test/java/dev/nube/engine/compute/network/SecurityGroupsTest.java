package dev.nube.engine.compute.network;

import static dev.nube.engine.EngineTestSupport.openWithoutKvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.SecurityGroup.Direction;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityGroupsTest {
    private static final String REGION = "local-1";

    @TempDir
    Path dir;
    private Engine engine;
    private SecurityGroupService groups;

    @BeforeEach
    void open() {
        engine = openWithoutKvm(dir);
        groups = engine.securityGroups();
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void everyRegionHasOneDefaultGroupAllowingSshThatCannotBeDeleted() {
        SecurityGroup group = groups.get(REGION, "default");
        assertEquals(List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "0.0.0.0/0", "SSH from anywhere")),
                group.inbound());
        assertEquals(Protocol.ALL, group.outbound().get(0).protocol());
        assertEquals("CannotDelete", assertThrows(EngineException.class,
                () -> groups.delete(REGION, group.id())).code());

        engine.close();
        engine = openWithoutKvm(dir);
        assertEquals(1, engine.securityGroups().list(REGION).items().size(), "reopening adds no second default");
        engine.regions().create("local-2", null);
        assertEquals("default", engine.securityGroups().list("local-2").items().get(0).name());
    }

    @Test
    void anUnreadableDefaultGroupIsNotReplacedByASecondOne() throws Exception {
        SecurityGroup web = groups.create(REGION, "web", "web servers");
        SecurityGroup original = groups.get(REGION, "default");
        engine.close();
        Path document = dir.resolve("regions/local-1/security-groups").resolve(original.id()).resolve("resource.json");
        java.nio.file.Files.writeString(document, "{ torn");
        engine = openWithoutKvm(dir);
        groups = engine.securityGroups();
        var listing = groups.list(REGION);
        assertEquals(List.of(web.id()), listing.items().stream().map(SecurityGroup::id).toList(),
                "no second default group");
        assertEquals(1, listing.problems().size());
        assertEquals("{ torn", java.nio.file.Files.readString(document));
    }

    @Test
    void createsAndDeletesGroups() {
        SecurityGroup web = groups.create(REGION, "web", "Web servers");
        assertTrue(web.id().startsWith("sg-"));
        assertTrue(web.inbound().isEmpty());
        assertEquals("InvalidGroup.Duplicate", assertThrows(EngineException.class,
                () -> groups.create(REGION, "WEB", "again")).code());
        assertThrows(EngineException.class, () -> groups.create(REGION, "sg-web", ""));
        assertThrows(EngineException.class, () -> groups.create(REGION, " ", ""));
        assertThrows(EngineException.class, () -> groups.create(REGION, "web<script>", ""));
        groups.delete(REGION, web.id());
        assertEquals(1, groups.list(REGION).items().size());
    }

    @Test
    void rulesAreValidatedWithReasons() {
        SecurityGroup web = groups.create(REGION, "web", "");
        assertRuleRefused(web, SecurityGroupRule.fromCidr(Protocol.TCP, 0, 70000, "0.0.0.0/0", ""), "0 to 65535");
        assertRuleRefused(web, SecurityGroupRule.fromCidr(Protocol.TCP, 90, 80, "0.0.0.0/0", ""), "ends before");
        assertRuleRefused(web, SecurityGroupRule.fromCidr(Protocol.TCP, 80, 80, "10.0.0.300/8", ""), "not a valid");
        assertRuleRefused(web, SecurityGroupRule.fromCidr(Protocol.TCP, 80, 80, "10.1.2.3/8", ""), "host bits");
        assertRuleRefused(web, SecurityGroupRule.fromGroup(Protocol.TCP, 80, 80, "sg-00000000000000000", ""),
                "does not exist");
        assertRuleRefused(web, new SecurityGroupRule(Protocol.TCP, 80, 80, null, null, ""), "neither");
        assertRuleRefused(web, new SecurityGroupRule(null, 80, 80, "0.0.0.0/0", null, ""), "protocol");

        EngineException duplicate = assertThrows(EngineException.class, () -> groups.setRules(REGION, web.id(),
                Direction.INBOUND, List.of(
                        SecurityGroupRule.fromCidr(Protocol.TCP, 80, 80, "0.0.0.0/0", "HTTP"),
                        SecurityGroupRule.fromCidr(Protocol.TCP, 443, 443, "0.0.0.0/0", "HTTPS"),
                        SecurityGroupRule.fromCidr(Protocol.TCP, 80, 80, "0.0.0.0/0", "HTTP again"))));
        assertEquals("InvalidPermission.Duplicate", duplicate.code());
        assertTrue(duplicate.getMessage().startsWith("Rule 3 duplicates rule 1"), duplicate.getMessage());
        assertTrue(groups.get(REGION, web.id()).inbound().isEmpty(), "a refused edit changes nothing");
    }

    private void assertRuleRefused(SecurityGroup group, SecurityGroupRule rule, String reason) {
        EngineException e = assertThrows(EngineException.class,
                () -> groups.setRules(REGION, group.id(), Direction.INBOUND, List.of(rule)));
        assertTrue(e.getMessage().startsWith("Rule 1: "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), "'" + e.getMessage() + "' should say '" + reason + "'");
    }

    @Test
    void storesNormalisedRulesForBothDirectionsAndBothFamilies() {
        SecurityGroup web = groups.create(REGION, "web", "");
        SecurityGroup admin = groups.create(REGION, "admin", "");
        groups.setRules(REGION, web.id(), Direction.INBOUND, List.of(
                SecurityGroupRule.fromCidr(Protocol.TCP, 8000, 8080, "2001:DB8::/32", "dev"),
                SecurityGroupRule.fromCidr(Protocol.ICMP, 5, 9, "10.0.0.0/8", "ping"),
                SecurityGroupRule.fromGroup(Protocol.ALL, 0, 0, "admin", "from admin hosts")));
        groups.setRules(REGION, web.id(), Direction.OUTBOUND, List.of(
                SecurityGroupRule.fromCidr(Protocol.UDP, 53, 53, "0.0.0.0/0", "DNS")));
        SecurityGroup stored = groups.get(REGION, web.id());
        assertEquals("2001:db8::/32", stored.inbound().get(0).cidr());
        assertEquals("8000-8080", stored.inbound().get(0).portRange());
        assertEquals(-1, stored.inbound().get(1).fromPort());
        assertEquals(admin.id(), stored.inbound().get(2).groupId());
        assertEquals(List.of(SecurityGroupRule.fromCidr(Protocol.UDP, 53, 53, "0.0.0.0/0", "DNS")),
                stored.outbound());

        EngineException inUse = assertThrows(EngineException.class, () -> groups.delete(REGION, admin.id()));
        assertEquals("DependencyViolation", inUse.code());
        assertTrue(inUse.getMessage().contains("named in a rule of 'web'"), inUse.getMessage());
    }

    @Test
    void aGroupAnInstanceUsesCannotBeDeleted() {
        SecurityGroup web = groups.create(REGION, "web", "");
        groups.setUsage((region, groupId) -> groupId.equals(web.id()) ? List.of("i-0123456789abcdef0 (www)")
                : List.of());
        EngineException e = assertThrows(EngineException.class, () -> groups.delete(REGION, web.id()));
        assertEquals("DependencyViolation", e.code());
        assertTrue(e.getMessage().contains("used by i-0123456789abcdef0 (www)"), e.getMessage());
    }
}
