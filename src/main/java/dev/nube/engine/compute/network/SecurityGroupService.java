package dev.nube.engine.compute.network;

import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.store.Listing;
import java.util.List;

/**
 * Security groups per region (EC2 CreateSecurityGroup, DeleteSecurityGroup, Authorize/Revoke...). Every region has
 * a {@code default} group that cannot be deleted. Thread-safe.
 */
public interface SecurityGroupService {
    Listing<SecurityGroup> list(String region);

    /** By id or by name; throws {@code InvalidGroup.NotFound}. */
    SecurityGroup get(String region, String idOrName);

    SecurityGroup create(String region, String name, String description);

    /**
     * Replaces the rules of one direction, all or nothing: every rule is checked first and the first problem is
     * reported as "Rule N: ...". The rules are kept and checked, but nothing enforces them on instances yet (the
     * listeners that filter traffic on an instance's public address, {@code network.addresses.PublicListeners}, are not
     * driven by the instances engine yet): saving them changes no traffic.
     */
    SecurityGroup setRules(String region, String id, Direction direction, List<SecurityGroupRule> rules);

    /** Refused for the default group, for a group an instance uses, and for a group another group's rule names. */
    void delete(String region, String id);

    /** Checks one rule on its own (for editors validating as the person types); throws with the reason. */
    SecurityGroupRule validate(String region, SecurityGroupRule rule);

    /** Tells the service who uses groups, so that deleting a group in use is refused with the reason. */
    void setUsage(Usage usage);

    /** Who uses a security group. */
    interface Usage {
        /** Users of {@code groupId} in words, e.g. {@code i-0abc... (web)}; empty if none. */
        List<String> usersOf(String region, String groupId);
    }
}
