package dev.nube.engine.compute.instances;

import java.time.Instant;
import java.util.List;

/**
 * The stored document of an instance ({@code instances/<id>/resource.json}): its configuration, what the user last
 * asked for ({@code intent}) and the operation under way, if any, so that an operation cut short by the console
 * quitting is completed or rolled back at the next start. It holds no state: the state is derived from the QEMU
 * process (see {@link Instances}). {@code privateIp} and {@code macAddress} are the instance's on the region's private
 * network, kept from launch to termination (documents written before there was one get them at their next start).
 */
record InstanceRecord(String id, String name, String imageId, String instanceType, int vcpus, int memoryMiB,
                      String keyPairId, String keyName, List<String> securityGroupIds, int rootVolumeGiB,
                      boolean hasUserData, String sshUser, Instant launchTime, Intent intent, Operation operation,
                      String stateReason, Instant terminatedAt, String privateIp, String macAddress,
                      String reservationId) {

    /** What the user last asked the instance to be. */
    enum Intent { RUNNING, STOPPED, TERMINATED }

    /** An operation that changes files or processes, recorded before it starts and cleared when it ends. */
    enum Operation { NONE, LAUNCHING, STARTING, STOPPING, REBOOTING, TERMINATING }

    InstanceRecord {
        securityGroupIds = List.copyOf(securityGroupIds);
        operation = operation == null ? Operation.NONE : operation;
    }

    InstanceRecord with(Intent newIntent, Operation newOperation, String newReason) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, newIntent, newOperation, newReason,
                terminatedAt, privateIp, macAddress, reservationId);
    }

    InstanceRecord withOperation(Operation newOperation) {
        return with(intent, newOperation, stateReason);
    }

    InstanceRecord terminated(String reason, Instant at) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, Intent.TERMINATED, Operation.NONE,
                reason, at, privateIp, macAddress, reservationId);
    }

    InstanceRecord withNetwork(String newPrivateIp, String newMacAddress) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason,
                terminatedAt, newPrivateIp, newMacAddress, reservationId);
    }

    InstanceRecord withType(InstanceType type) {
        return new InstanceRecord(id, name, imageId, type.name(), type.vcpus(), type.memoryMiB(), keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason,
                terminatedAt, privateIp, macAddress, reservationId);
    }

    InstanceRecord withRootVolumeGiB(int gib) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, gib, hasUserData, sshUser, launchTime, intent, operation, stateReason, terminatedAt,
                privateIp, macAddress, reservationId);
    }

    InstanceRecord withName(String newName) {
        return new InstanceRecord(id, newName, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason,
                terminatedAt, privateIp, macAddress, reservationId);
    }

    InstanceRecord withSecurityGroups(List<String> groupIds) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName, groupIds,
                rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason, terminatedAt,
                privateIp, macAddress, reservationId);
    }

    /** Whether the instance still holds its private address (everything but a finished termination does). */
    boolean holdsAddress() {
        return !(intent == Intent.TERMINATED && operation == Operation.NONE);
    }
}
