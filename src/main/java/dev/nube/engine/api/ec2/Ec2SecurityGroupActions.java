package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.engine.compute.network.SecurityGroupService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * EC2's security group actions: Create/Describe/DeleteSecurityGroup and Authorize/Revoke
 * SecurityGroupIngress/Egress. EC2's {@code IpPermissions}
 * map onto Nube's rules one peer each: a permission with two CIDR ranges is two rules, and rules of the same
 * protocol and ports are listed back as one permission. Nube's rules have no ids: {@link #ruleId} derives a stable
 * {@code sgr-} id from the rule. Thread-safe: every request works through the engine's thread-safe services.
 */
final class Ec2SecurityGroupActions {
    private static final Set<String> GROUP_TAGGABLE = Set.of("security-group");

    private final Engine engine;
    private final Ec2Items items;
    private final Object rulesLock = new Object();

    Ec2SecurityGroupActions(Engine engine, Ec2Items items) {
        this.engine = engine;
        this.items = items;
    }

    void register(Ec2Api api) {
        api.put("CreateSecurityGroup", this::createGroup);
        api.put("DescribeSecurityGroups", this::describeGroups);
        api.put("DeleteSecurityGroup", this::deleteGroup);
        // One rule change at a time: each reads the group's rules and writes them back with its own added or taken
        // out, so two at once would lose one of them.
        api.put("AuthorizeSecurityGroupIngress", locked((call, xml) -> authorize(call, xml, Direction.INBOUND)));
        api.put("AuthorizeSecurityGroupEgress", locked((call, xml) -> authorize(call, xml, Direction.OUTBOUND)));
        api.put("RevokeSecurityGroupIngress", locked((call, xml) -> revoke(call, xml, Direction.INBOUND)));
        api.put("RevokeSecurityGroupEgress", locked((call, xml) -> revoke(call, xml, Direction.OUTBOUND)));
    }

    private SecurityGroupService groups() {
        return engine.securityGroups();
    }

    private void createGroup(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String name = call.required("GroupName");
        String description = call.required("GroupDescription");
        if (name.startsWith("sg-")) {
            throw EngineException.invalid("Group names may not be in the format sg-*.");
        }
        Map<String, String> tags = Ec2Items.tagSpecification(call, "security-group", GROUP_TAGGABLE);
        if (groups().list(region).items().stream().anyMatch(g -> g.name().equals(name))) {
            throw new EngineException("InvalidGroup.Duplicate", "The security group '" + name + "' already exists");
        }
        call.checkDryRun();
        SecurityGroup group = groups().create(region, name, description);
        items.applyTags(region, group.id(), tags);
        xml.text("return", true).text("groupId", group.id());
        Ec2Items.tagSet(xml, items.tagsOf(region, group.id()));
    }

    private void describeGroups(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<SecurityGroup> all = groups().list(region).items();
        List<String> ids = call.list("GroupId");
        List<String> names = call.list("GroupName");
        Ec2Pages.refuseWithIds(call, ids, "groupIdSet");
        Ec2Pages.refuseWithIds(call, names, "groupNameSet");
        List<SecurityGroup> found = new ArrayList<>();
        for (String id : ids) {
            found.add(groups().get(region, id));
        }
        for (String name : names) {
            found.add(all.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow(() ->
                    new EngineException("InvalidGroup.NotFound", "The security group '" + name + "' does not exist")));
        }
        if (ids.isEmpty() && names.isEmpty()) {
            found = all;
        }
        Predicate<SecurityGroup> matches = new Ec2Filters<SecurityGroup>()
                .on("group-id", SecurityGroup::id).on("group-name", SecurityGroup::name)
                .on("description", SecurityGroup::description).on("owner-id", g -> Ec2Items.OWNER_ID)
                .onAll("ip-permission.cidr", g -> g.inbound().stream().map(SecurityGroupRule::cidr)
                        .filter(java.util.Objects::nonNull).toList())
                .onAll("ip-permission.group-id", g -> g.inbound().stream().map(SecurityGroupRule::groupId)
                        .filter(java.util.Objects::nonNull).toList())
                .onAll("ip-permission.protocol", g -> g.inbound().stream().map(r -> protocolName(r.protocol()))
                        .toList())
                .tags(g -> items.tagsOf(region, g.id())).matcher(call.filters());
        Ec2Pages.Page<SecurityGroup> page = Ec2Pages.of(call, found.stream().distinct().filter(matches).toList(),
                SecurityGroup::id, 5, 1000);
        call.checkDryRun();
        Map<String, String> groupNames = items.groupNames(region);
        xml.open("securityGroupInfo");
        for (SecurityGroup g : page.items()) {
            xml.open("item").text("ownerId", Ec2Items.OWNER_ID).text("groupId", g.id()).text("groupName", g.name())
                    .text("groupDescription", g.description());
            permissions(xml, "ipPermissions", g.inbound(), groupNames);
            permissions(xml, "ipPermissionsEgress", g.outbound(), groupNames);
            Ec2Items.tagSet(xml, items.tagsOf(region, g.id()));
            xml.close();
        }
        xml.close().text("nextToken", page.nextToken());
    }

    /** Rules of one protocol and port range as one permission, each with its CIDR ranges and groups. */
    private static void permissions(XmlWriter xml, String element, List<SecurityGroupRule> rules,
                                    Map<String, String> groupNames) {
        Map<String, List<SecurityGroupRule>> byTraffic = new LinkedHashMap<>();
        for (SecurityGroupRule r : rules) {
            byTraffic.computeIfAbsent(r.protocol() + "/" + r.fromPort() + "/" + r.toPort(), k -> new ArrayList<>())
                    .add(r);
        }
        xml.open(element);
        for (List<SecurityGroupRule> same : byTraffic.values()) {
            SecurityGroupRule first = same.get(0);
            xml.open("item").text("ipProtocol", protocolName(first.protocol()));
            if (first.protocol() != Protocol.ALL) {
                xml.text("fromPort", first.fromPort()).text("toPort", first.toPort());
            }
            xml.open("groups");
            for (SecurityGroupRule r : same) {
                if (r.groupId() != null) {
                    xml.open("item").text("userId", Ec2Items.OWNER_ID).text("groupId", r.groupId())
                            .text("groupName", groupNames.get(r.groupId()))
                            .text("description", r.description().isEmpty() ? null : r.description()).close();
                }
            }
            xml.close().open("ipRanges");
            for (SecurityGroupRule r : same) {
                if (r.cidr() != null) {
                    xml.open("item").text("cidrIp", r.cidr())
                            .text("description", r.description().isEmpty() ? null : r.description()).close();
                }
            }
            xml.close().empty("ipv6Ranges").empty("prefixListIds").close();
        }
        xml.close();
    }

    private static String protocolName(Protocol protocol) {
        return protocol == Protocol.ALL ? "-1" : protocol.label();
    }

    private void deleteGroup(Ec2Call call, XmlWriter xml) {
        SecurityGroup group = namedGroup(call);
        call.checkDryRun();
        groups().delete(call.region(), group.id());
        xml.text("return", true).text("groupId", group.id());
    }

    /** The group of {@code GroupId}, else of {@code GroupName}. */
    private SecurityGroup namedGroup(Ec2Call call) {
        String id = call.string("GroupId");
        String name = call.string("GroupName");
        if (id != null && !id.isEmpty()) {
            if (!id.startsWith("sg-")) {
                throw new EngineException("InvalidGroupId.Malformed", "Invalid id: \"" + id + "\" (expecting"
                        + " \"sg-...\")");
            }
            return groups().get(call.region(), id);
        }
        if (name != null && !name.isEmpty()) {
            return groups().list(call.region()).items().stream().filter(g -> g.name().equals(name)).findFirst()
                    .orElseThrow(() -> new EngineException("InvalidGroup.NotFound", "The security group '" + name
                            + "' does not exist"));
        }
        throw new EngineException("MissingParameter", "The request must contain the parameter GroupId or GroupName");
    }

    private Ec2Action locked(Ec2Action action) {
        return (call, xml) -> {
            synchronized (rulesLock) {
                action.answer(call, xml);
            }
        };
    }

    private void authorize(Ec2Call call, XmlWriter xml, Direction direction) {
        String region = call.region();
        SecurityGroup group = namedGroup(call);
        List<SecurityGroupRule> wanted = requestedRules(call, region);
        List<SecurityGroupRule> rules = new ArrayList<>(group.rules(direction));
        for (SecurityGroupRule rule : wanted) {
            if (rules.stream().anyMatch(rule::sameTrafficAs)) {
                throw new EngineException("InvalidPermission.Duplicate", "the specified rule \"peer: " + rule.peer()
                        + ", " + protocolName(rule.protocol()).toUpperCase(java.util.Locale.ROOT) + ", "
                        + rule.portRange() + "\" already exists");
            }
            rules.add(rule);
        }
        call.checkDryRun();
        groups().setRules(region, group.id(), direction, rules);
        xml.text("return", true).open("securityGroupRuleSet");
        for (SecurityGroupRule r : wanted) {
            xml.open("item").text("securityGroupRuleId", ruleId(group.id(), direction, r))
                    .text("groupId", group.id()).text("groupOwnerId", Ec2Items.OWNER_ID)
                    .text("isEgress", direction == Direction.OUTBOUND).text("ipProtocol", protocolName(r.protocol()))
                    .text("fromPort", r.fromPort()).text("toPort", r.toPort()).text("cidrIpv4", r.cidr());
            if (r.groupId() != null) {
                xml.open("referencedGroupInfo").text("groupId", r.groupId()).text("userId", Ec2Items.OWNER_ID)
                        .close();
            }
            xml.text("description", r.description().isEmpty() ? null : r.description()).close();
        }
        xml.close();
    }

    private void revoke(Ec2Call call, XmlWriter xml, Direction direction) {
        String region = call.region();
        SecurityGroup group = namedGroup(call);
        List<SecurityGroupRule> unwanted = requestedRules(call, region);
        List<SecurityGroupRule> rules = new ArrayList<>(group.rules(direction));
        for (SecurityGroupRule rule : unwanted) {
            if (!rules.removeIf(rule::sameTrafficAs)) {
                throw new EngineException("InvalidPermission.NotFound", "The specified rule does not exist in this"
                        + " security group: peer " + rule.peer() + ", " + protocolName(rule.protocol()) + ", "
                        + rule.portRange() + ".");
            }
        }
        call.checkDryRun();
        groups().setRules(region, group.id(), direction, rules);
        xml.text("return", true);
    }

    /**
     * The rules of {@code IpPermissions.N} (one per CIDR range or group), or of the flat form ({@code IpProtocol},
     * {@code FromPort}, {@code ToPort}, {@code CidrIp} or {@code SourceSecurityGroupName}), each checked.
     */
    private List<SecurityGroupRule> requestedRules(Ec2Call call, String region) {
        List<SecurityGroupRule> rules = new ArrayList<>();
        List<Map<String, String>> permissions = call.structures("IpPermissions");
        if (permissions.isEmpty() && call.string("IpProtocol") != null) {
            Map<String, String> flat = new LinkedHashMap<>();
            flat.put("IpProtocol", call.string("IpProtocol"));
            putIfPresent(flat, "FromPort", call.string("FromPort"));
            putIfPresent(flat, "ToPort", call.string("ToPort"));
            putIfPresent(flat, "IpRanges.1.CidrIp", call.string("CidrIp"));
            putIfPresent(flat, "Groups.1.GroupName", call.string("SourceSecurityGroupName"));
            permissions = List.of(flat);
        }
        if (permissions.isEmpty()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter IpPermissions");
        }
        for (Map<String, String> permission : permissions) {
            Protocol protocol = protocolOf(permission.get("IpProtocol"));
            int from = port(permission.get("FromPort"), protocol);
            int to = port(permission.get("ToPort"), protocol);
            if (permission.keySet().stream().anyMatch(k -> k.startsWith("Ipv6Ranges.")
                    || k.startsWith("PrefixListIds."))) {
                throw EngineException.invalid("Nube's security groups take IPv4 CIDR ranges and security groups,"
                        + " not IPv6 ranges or prefix lists.");
            }
            int before = rules.size();
            for (Map<String, String> range : nested(permission, "IpRanges")) {
                rules.add(SecurityGroupRule.fromCidr(protocol, from, to, range.get("CidrIp"),
                        range.get("Description")));
            }
            for (Map<String, String> pair : nested(permission, "Groups")) {
                String peer = pair.get("GroupId") != null ? pair.get("GroupId") : pair.get("GroupName");
                rules.add(SecurityGroupRule.fromGroup(protocol, from, to, peer, pair.get("Description")));
            }
            if (rules.size() == before) {
                throw new EngineException("MissingParameter", "Each permission needs a CIDR range (IpRanges) or a"
                        + " security group (UserIdGroupPairs).");
            }
        }
        return rules.stream().map(r -> groups().validate(region, r)).toList();
    }

    private static void putIfPresent(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** {@code IpRanges.M.CidrIp} of one permission as a list of maps of their members. */
    private static List<Map<String, String>> nested(Map<String, String> permission, String prefix) {
        java.util.TreeMap<Integer, Map<String, String>> out = new java.util.TreeMap<>();
        permission.forEach((key, value) -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix)
                    + "\\.([0-9]{1,6})\\.(.+)").matcher(key);
            if (m.matches()) {
                out.computeIfAbsent(Integer.parseInt(m.group(1)), n -> new LinkedHashMap<>()).put(m.group(2), value);
            }
        });
        return new ArrayList<>(out.values());
    }

    private static Protocol protocolOf(String name) {
        if (name == null || name.isBlank()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter IpProtocol");
        }
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "tcp", "6" -> Protocol.TCP;
            case "udp", "17" -> Protocol.UDP;
            case "icmp", "1" -> Protocol.ICMP;
            case "-1", "all" -> Protocol.ALL;
            default -> throw EngineException.invalid("Invalid value '" + name + "' for IP protocol. Unknown"
                    + " protocol.");
        };
    }

    private static int port(String value, Protocol protocol) {
        if (!protocol.hasPorts()) {
            return -1;
        }
        if (value == null) {
            throw EngineException.invalid("Invalid value for portRange. Must specify both from and to ports with"
                    + " TCP/UDP.");
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw EngineException.invalid("Invalid value '" + value + "' for a port.");
        }
    }

    /** A stable id for a rule of a group: {@code sgr-} and 17 hex digits of a hash of what it is. */
    static String ruleId(String groupId, Direction direction, SecurityGroupRule rule) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((groupId + "|" + direction + "|"
                    + rule.protocol() + "|" + rule.fromPort() + "|" + rule.toPort() + "|" + rule.peer())
                    .getBytes(StandardCharsets.UTF_8));
            return "sgr-" + HexFormat.of().formatHex(hash).substring(0, 17);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
