package dev.nube.ui.network;

import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroupRule;

/** The rule types the EC2 console offers: common services with fixed ports, and custom ranges. */
enum RulePreset {
    SSH("SSH", Protocol.TCP, 22, 22),
    HTTP("HTTP", Protocol.TCP, 80, 80),
    HTTPS("HTTPS", Protocol.TCP, 443, 443),
    CUSTOM_TCP("Custom TCP", Protocol.TCP, -1, -1),
    CUSTOM_UDP("Custom UDP", Protocol.UDP, -1, -1),
    ALL_TCP("All TCP", Protocol.TCP, 0, 65535),
    ALL_UDP("All UDP", Protocol.UDP, 0, 65535),
    ALL_ICMP("All ICMP", Protocol.ICMP, -1, -1),
    ALL_TRAFFIC("All traffic", Protocol.ALL, -1, -1);

    private final String label;
    private final Protocol protocol;
    private final int fromPort;
    private final int toPort;

    RulePreset(String label, Protocol protocol, int fromPort, int toPort) {
        this.label = label;
        this.protocol = protocol;
        this.fromPort = fromPort;
        this.toPort = toPort;
    }

    Protocol protocol() {
        return protocol;
    }

    /** Whether the person types the ports (custom TCP/UDP) or the preset fixes them. */
    boolean editablePorts() {
        return this == CUSTOM_TCP || this == CUSTOM_UDP;
    }

    /** The fixed port range as typed in the editor, or empty for presets without ports or with editable ones. */
    String fixedPorts() {
        if (editablePorts() || !protocol.hasPorts()) {
            return "";
        }
        return fromPort == toPort ? Integer.toString(fromPort) : fromPort + "-" + toPort;
    }

    /** The preset a stored rule reads as. */
    static RulePreset of(SecurityGroupRule rule) {
        for (RulePreset preset : values()) {
            if (!preset.editablePorts() && preset.protocol == rule.protocol()
                    && (!preset.protocol.hasPorts() || (preset.fromPort == rule.fromPort()
                    && preset.toPort == rule.toPort()))) {
                return preset;
            }
        }
        return rule.protocol() == Protocol.UDP ? CUSTOM_UDP : CUSTOM_TCP;
    }

    @Override
    public String toString() {
        return label;
    }
}
