package dev.nube.engine.compute.network;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Security groups stored per region in {@code security-groups/<id>/}. Changes are serialised on this object. */
public final class SecurityGroups implements SecurityGroupService, RegionScoped {
    /** The characters EC2 allows in a VPC security group's name and description. */
    static final Pattern ALLOWED = Pattern.compile("[a-zA-Z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]*");
    static final String ALLOWED_TEXT = "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*";

    private final RegionService regions;
    private final EventBus events;
    private volatile Usage usage = (region, groupId) -> List.of();

    public SecurityGroups(RegionService regions, EventBus events) {
        this.regions = regions;
        this.events = events;
    }

    private ResourceCollection<SecurityGroup> collection(String region) {
        return new ResourceCollection<>(ResourceKind.SECURITY_GROUP, regions.get(region).root(), SecurityGroup.class);
    }

    @Override
    public List<String> usersOf(String region, String groupId) {
        return usage.usersOf(region, get(region, groupId).id());
    }

    @Override
    public void setUsage(Usage usage) {
        this.usage = usage;
    }

    @Override
    public synchronized void regionOpened(Region region) {
        ResourceCollection<SecurityGroup> groups = collection(region.name());
        Listing<SecurityGroup> listing = groups.list();
        boolean hasDefault = listing.items().stream().anyMatch(SecurityGroup::isDefault);
        // Any unreadable document may be the default group's: never create a second one beside it.
        if (hasDefault || !listing.problems().isEmpty()) {
            return;
        }
        String id = Ids.newId(ResourceKind.SECURITY_GROUP);
        groups.put(id, new SecurityGroup(id, SecurityGroup.DEFAULT_NAME, "default group of region " + region.name(),
                List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "0.0.0.0/0", "SSH from anywhere")),
                List.of(SecurityGroupRule.fromCidr(Protocol.ALL, -1, -1, "0.0.0.0/0", "All outbound traffic")),
                Instant.now()));
    }

    @Override
    public List<String> contentsOf(Region region) {
        return Regions.describe(collection(region.name()).list(), 1, "security group", "security groups");
    }

    @Override
    public synchronized void regionRemoved(Region region) {
        ResourceCollection<SecurityGroup> groups = collection(region.name());
        groups.list().items().stream().filter(SecurityGroup::isDefault).forEach(g -> groups.delete(g.id()));
    }

    @Override
    public Listing<SecurityGroup> list(String region) {
        return collection(region).list();
    }

    @Override
    public SecurityGroup get(String region, String idOrName) {
        return collection(region).findByIdOrName(idOrName, SecurityGroup::name)
                .orElseThrow(() -> notFound(idOrName));
    }

    static EngineException notFound(String idOrName) {
        return new EngineException("InvalidGroup.NotFound", "The security group '" + idOrName
                + "' does not exist in this region.");
    }

    @Override
    public synchronized SecurityGroup create(String region, String name, String description) {
        ResourceCollection<SecurityGroup> groups = collection(region);
        checkText("name", name, true);
        if (name.startsWith("sg-")) {
            throw EngineException.invalid("A security group name cannot start with 'sg-' (ids do).");
        }
        checkText("description", description == null ? "" : description, false);
        if (groups.list().items().stream().anyMatch(g -> g.name().equalsIgnoreCase(name))) {
            throw new EngineException("InvalidGroup.Duplicate", "A security group named '" + name
                    + "' already exists in this region.");
        }
        String id = Ids.newId(ResourceKind.SECURITY_GROUP);
        // New groups, as in EC2: no inbound rule, all outbound traffic allowed.
        SecurityGroup group = new SecurityGroup(id, name, description == null ? "" : description, List.of(),
                List.of(SecurityGroupRule.fromCidr(Protocol.ALL, -1, -1, "0.0.0.0/0", "All outbound traffic")),
                Instant.now());
        groups.put(id, group);
        events.publish(new ResourceChanged(region, ResourceKind.SECURITY_GROUP, id, Change.CREATED));
        return group;
    }

    private static void checkText(String what, String text, boolean required) {
        if (required && (text == null || text.isBlank())) {
            throw EngineException.invalid("Enter a " + what + " for the security group.");
        }
        if (text.length() > 255) {
            throw EngineException.invalid("A security group " + what + " has at most 255 characters; this one has "
                    + text.length() + ".");
        }
        if (!ALLOWED.matcher(text).matches()) {
            throw EngineException.invalid("A security group " + what + " may hold only " + ALLOWED_TEXT + ".");
        }
    }

    @Override
    public synchronized SecurityGroup setRules(String region, String id, Direction direction,
                                               List<SecurityGroupRule> rules) {
        ResourceCollection<SecurityGroup> groups = collection(region);
        SecurityGroup group = get(region, id);
        List<SecurityGroupRule> checked = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            SecurityGroupRule rule;
            try {
                rule = validate(region, rules.get(i));
            } catch (EngineException e) {
                throw new EngineException(e.code(), "Rule " + (i + 1) + ": " + e.getMessage());
            }
            for (int j = 0; j < checked.size(); j++) {
                if (checked.get(j).sameTrafficAs(rule)) {
                    throw new EngineException("InvalidPermission.Duplicate", "Rule " + (i + 1)
                            + " duplicates rule " + (j + 1) + ": same protocol, ports and "
                            + direction.peerLabel().toLowerCase() + ".");
                }
            }
            checked.add(rule);
        }
        SecurityGroup updated = group.withRules(direction, checked);
        groups.put(group.id(), updated);
        events.publish(new ResourceChanged(region, ResourceKind.SECURITY_GROUP, group.id(), Change.UPDATED));
        return updated;
    }

    @Override
    public SecurityGroupRule validate(String region, SecurityGroupRule rule) {
        return rule.normalized(reference -> {
            try {
                return Optional.of(get(region, reference).id());
            } catch (EngineException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public synchronized void delete(String region, String id) {
        SecurityGroup group = get(region, id);
        if (group.isDefault()) {
            throw new EngineException("CannotDelete", "The default security group cannot be deleted.");
        }
        List<String> users = usage.usersOf(region, group.id());
        if (!users.isEmpty()) {
            throw new EngineException("DependencyViolation", "Security group '" + group.name()
                    + "' is used by " + String.join(", ", users) + ". Change their security groups or terminate"
                    + " them first.");
        }
        for (SecurityGroup other : list(region).items()) {
            boolean referenced = !other.id().equals(group.id()) && (other.inbound().stream()
                    .anyMatch(r -> group.id().equals(r.groupId())) || other.outbound().stream()
                    .anyMatch(r -> group.id().equals(r.groupId())));
            if (referenced) {
                throw new EngineException("DependencyViolation", "Security group '" + group.name()
                        + "' is named in a rule of '" + other.name() + "' (" + other.id() + "). Remove that rule"
                        + " first.");
            }
        }
        collection(region).delete(group.id());
        events.publish(new ResourceChanged(region, ResourceKind.SECURITY_GROUP, group.id(), Change.DELETED));
    }
}
