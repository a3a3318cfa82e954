package dev.nube.engine.compute.instances;

/** An instance type: a name in EC2's style and the virtual hardware it gives. */
public record InstanceType(String name, int vcpus, int memoryMiB) {
    /** "2 vCPU, 1 GiB" for lists. */
    public String describe() {
        String memory = memoryMiB % 1024 == 0 ? memoryMiB / 1024 + " GiB" : memoryMiB + " MiB";
        return vcpus + " vCPU, " + memory;
    }
}
