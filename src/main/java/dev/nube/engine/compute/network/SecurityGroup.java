package dev.nube.engine.compute.network;

import java.time.Instant;
import java.util.List;

/** A security group: a named firewall whose inbound rules are enforced on the instances that use it. */
public record SecurityGroup(String id, String name, String description, List<SecurityGroupRule> inbound,
                            List<SecurityGroupRule> outbound, Instant createdAt) {
    public static final String DEFAULT_NAME = "default";

    public SecurityGroup {
        inbound = List.copyOf(inbound);
        outbound = List.copyOf(outbound);
    }

    public boolean isDefault() {
        return DEFAULT_NAME.equals(name);
    }

    public List<SecurityGroupRule> rules(Direction direction) {
        return direction == Direction.INBOUND ? inbound : outbound;
    }

    public SecurityGroup withRules(Direction direction, List<SecurityGroupRule> rules) {
        return direction == Direction.INBOUND
                ? new SecurityGroup(id, name, description, rules, outbound, createdAt)
                : new SecurityGroup(id, name, description, inbound, rules, createdAt);
    }

    public enum Direction {
        INBOUND("Inbound", "Source"), OUTBOUND("Outbound", "Destination");

        private final String label;
        private final String peerLabel;

        Direction(String label, String peerLabel) {
            this.label = label;
            this.peerLabel = peerLabel;
        }

        public String label() {
            return label;
        }

        /** What the peer column is called in this direction. */
        public String peerLabel() {
            return peerLabel;
        }
    }
}
