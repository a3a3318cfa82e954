package dev.nube.engine.compute.network;

/** Protocols a security group rule can name. ICMP and ALL cover every port. */
public enum Protocol {
    TCP("tcp", true), UDP("udp", true), ICMP("icmp", false), ALL("all", false);

    private final String label;
    private final boolean hasPorts;

    Protocol(String label, boolean hasPorts) {
        this.label = label;
        this.hasPorts = hasPorts;
    }

    public String label() {
        return label;
    }

    public boolean hasPorts() {
        return hasPorts;
    }
}
