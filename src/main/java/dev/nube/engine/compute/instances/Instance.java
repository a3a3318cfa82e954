package dev.nube.engine.compute.instances;

import java.time.Instant;
import java.util.List;

/**
 * An instance as the console shows it. {@code state} is derived from facts when the value is made (the QEMU process,
 * QMP, the SSH banner); {@code stateReason} says why it is stopped or terminated, as EC2's state reason does.
 * {@code sshPort} is the loopback port forwarded to the guest's port 22 while it runs, else 0. {@code keyPairId} and
 * {@code keyName} are null when launched without a key pair. {@code problems} lists what does not add up (shown, never
 * hidden). {@code reservationId} is shared by the instances of one launch, as EC2's reservation is (null for
 * instances launched before Nube kept it). {@code httpTokens} is EC2's metadata option: "required" (IMDSv2 only) or
 * "optional".
 */
public record Instance(String id, String name, InstanceState state, String stateReason, String instanceType,
                       int vcpus, int memoryMiB, String imageId, String keyPairId, String keyName,
                       List<String> securityGroupIds, int rootVolumeGiB, boolean hasUserData, Instant launchTime,
                       String privateIp, String publicIp, int sshPort, long pid, List<String> problems,
                       String reservationId, String httpTokens) {
    public Instance {
        securityGroupIds = List.copyOf(securityGroupIds);
        problems = List.copyOf(problems);
    }
}
