package dev.nube.engine.store;

/** The kinds of resource a region holds: the id prefix EC2 uses and the folder the documents live in. */
public enum ResourceKind {
    INSTANCE("i", "instances"),
    IMAGE("ami", "images"),
    VOLUME("vol", "volumes"),
    SNAPSHOT("snap", "snapshots"),
    SECURITY_GROUP("sg", "security-groups"),
    ELASTIC_IP("eipalloc", "addresses"),
    KEY_PAIR("key", "keypairs"),
    FUNCTION("fn", "functions");

    private final String prefix;
    private final String folder;

    ResourceKind(String prefix, String folder) {
        this.prefix = prefix;
        this.folder = folder;
    }

    public String prefix() {
        return prefix;
    }

    /** Folder under the region root, e.g. {@code keypairs}. */
    public String folder() {
        return folder;
    }
}
