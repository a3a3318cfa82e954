package dev.nube.engine.compute.network;

import dev.nube.engine.EngineException;
import java.util.Optional;
import java.util.function.Function;

/**
 * One rule of a security group: traffic of {@code protocol} on ports {@code fromPort..toPort} from (inbound) or to
 * (outbound) a peer, which is either a CIDR block or another security group (exactly one of {@code cidr} and
 * {@code groupId} is set). Protocols without ports use -1 for both.
 */
public record SecurityGroupRule(Protocol protocol, int fromPort, int toPort, String cidr, String groupId,
                                String description) {
    public SecurityGroupRule {
        description = description == null ? "" : description;
    }

    public static SecurityGroupRule fromCidr(Protocol protocol, int fromPort, int toPort, String cidr,
                                             String description) {
        return new SecurityGroupRule(protocol, fromPort, toPort, cidr, null, description);
    }

    public static SecurityGroupRule fromGroup(Protocol protocol, int fromPort, int toPort, String groupId,
                                              String description) {
        return new SecurityGroupRule(protocol, fromPort, toPort, null, groupId, description);
    }

    /** The peer as the console shows it: the CIDR block or the group id. */
    public String peer() {
        return cidr != null ? cidr : groupId;
    }

    /** {@code 22}, {@code 8000-8080} or {@code All}. */
    public String portRange() {
        if (!protocol.hasPorts() || (fromPort == 0 && toPort == 65535)) {
            return "All";
        }
        return fromPort == toPort ? Integer.toString(fromPort) : fromPort + "-" + toPort;
    }

    /**
     * This rule checked and in canonical form (CIDR as printed by {@link Cidr}, -1 ports for protocols without
     * ports, a group named by its id); throws with the reason. Pure: {@code groupIdOf} resolves a group id or name to
     * an existing group's id, so editors can check rules as they are typed.
     */
    public SecurityGroupRule normalized(Function<String, Optional<String>> groupIdOf) {
        if (protocol == null) {
            throw EngineException.invalid("Choose a protocol: tcp, udp, icmp or all.");
        }
        int from = fromPort;
        int to = toPort;
        if (protocol.hasPorts()) {
            if (from < 0 || from > 65535 || to < 0 || to > 65535) {
                throw EngineException.invalid("Ports are numbers from 0 to 65535.");
            }
            if (from > to) {
                throw EngineException.invalid("The port range " + from + "-" + to + " ends before it starts.");
            }
        } else {
            from = -1;
            to = -1;
        }
        boolean hasCidr = cidr != null && !cidr.isBlank();
        boolean hasGroup = groupId != null && !groupId.isBlank();
        if (hasCidr == hasGroup) {
            throw EngineException.invalid("Give either a CIDR block (e.g. 0.0.0.0/0) or a security group, not "
                    + (hasCidr ? "both." : "neither."));
        }
        String checkedCidr = null;
        String checkedGroup = null;
        if (hasCidr) {
            try {
                checkedCidr = Cidr.parse(cidr).toString();
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid(e.getMessage());
            }
        } else {
            String reference = groupId.strip();
            checkedGroup = groupIdOf.apply(reference).orElseThrow(() -> SecurityGroups.notFound(reference));
        }
        if (description.length() > 255 || !SecurityGroups.ALLOWED.matcher(description).matches()) {
            throw EngineException.invalid("A rule description has at most 255 characters: "
                    + SecurityGroups.ALLOWED_TEXT + ".");
        }
        return new SecurityGroupRule(protocol, from, to, checkedCidr, checkedGroup, description);
    }

    /** Same traffic and peer, whatever the description: EC2 refuses such a rule as a duplicate. */
    public boolean sameTrafficAs(SecurityGroupRule other) {
        return protocol == other.protocol && fromPort == other.fromPort && toPort == other.toPort
                && java.util.Objects.equals(cidr, other.cidr) && java.util.Objects.equals(groupId, other.groupId);
    }
}
