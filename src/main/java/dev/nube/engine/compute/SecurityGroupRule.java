package dev.nube.engine.compute;

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

    /** Same traffic and peer, whatever the description: EC2 refuses such a rule as a duplicate. */
    public boolean sameTrafficAs(SecurityGroupRule other) {
        return protocol == other.protocol && fromPort == other.fromPort && toPort == other.toPort
                && java.util.Objects.equals(cidr, other.cidr) && java.util.Objects.equals(groupId, other.groupId);
    }
}
