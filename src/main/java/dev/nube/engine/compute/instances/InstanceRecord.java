package dev.nube.engine.compute.instances;

import java.time.Instant;
import java.util.List;

/**
 * The stored document of an instance ({@code instances/<id>/resource.json}): its configuration, what the user last
 * asked for ({@code intent}) and the operation under way, if any, so that an operation cut short by the console
 * quitting is completed or rolled back at the next start. It holds no state: the state is derived from the QEMU
 * process (see {@link Instances}). {@code privateIp} and {@code macAddress} are the instance's on the region's private
 * network, kept from launch to termination (documents written before there was one get them at their next start).
 * {@code httpTokens} is EC2's metadata option: "required" (IMDSv2 only) or "optional" (null in older documents).
 */
record InstanceRecord(String id, String name, String imageId, String instanceType, int vcpus, int memoryMiB,
                      String keyPairId, String keyName, List<String> securityGroupIds, int rootVolumeGiB,
                      boolean hasUserData, String sshUser, Instant launchTime, Intent intent, Operation operation,
                      String stateReason, Instant terminatedAt, String privateIp, String macAddress,
                      String reservationId, String httpTokens) {

    /** HttpTokens values, as EC2 names them; documents from before the setting have none, which reads as optional. */
    static final String HTTP_TOKENS_REQUIRED = "required";
    static final String HTTP_TOKENS_OPTIONAL = "optional";

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
                terminatedAt, privateIp, macAddress, reservationId, httpTokens);
    }

    InstanceRecord withOperation(Operation newOperation) {
        return with(intent, newOperation, stateReason);
    }

    InstanceRecord terminated(String reason, Instant at) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, Intent.TERMINATED, Operation.NONE,
                reason, at, privateIp, macAddress, reservationId, httpTokens);
    }

    InstanceRecord withNetwork(String newPrivateIp, String newMacAddress) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason,
                terminatedAt, newPrivateIp, newMacAddress, reservationId, httpTokens);
    }

    InstanceRecord withType(InstanceType type) {
        return new InstanceRecord(id, name, imageId, type.name(), type.vcpus(), type.memoryMiB(), keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason,
                terminatedAt, privateIp, macAddress, reservationId, httpTokens);
    }

    InstanceRecord withRootVolumeGiB(int gib) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, gib, hasUserData, sshUser, launchTime, intent, operation, stateReason, terminatedAt,
                privateIp, macAddress, reservationId, httpTokens);
    }

    InstanceRecord withName(String newName) {
        return new InstanceRecord(id, newName, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason,
                terminatedAt, privateIp, macAddress, reservationId, httpTokens);
    }

    InstanceRecord withSecurityGroups(List<String> groupIds) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName, groupIds,
                rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason, terminatedAt,
                privateIp, macAddress, reservationId, httpTokens);
    }

    InstanceRecord withHttpTokens(String value) {
        return new InstanceRecord(id, name, imageId, instanceType, vcpus, memoryMiB, keyPairId, keyName,
                securityGroupIds, rootVolumeGiB, hasUserData, sshUser, launchTime, intent, operation, stateReason,
                terminatedAt, privateIp, macAddress, reservationId, value);
    }

    /** {@code value} when it is an HttpTokens value, else an error that says which values are. */
    static String checkHttpTokens(String value) {
        if (!HTTP_TOKENS_REQUIRED.equals(value) && !HTTP_TOKENS_OPTIONAL.equals(value)) {
            throw dev.nube.engine.EngineException.invalid("The metadata service's HttpTokens is 'required' (IMDSv2"
                    + " only) or 'optional' (IMDSv1 too), not '" + value + "'.");
        }
        return value;
    }

    /** EC2's HttpTokens "required": the metadata service answers only requests with a session token. */
    boolean tokensRequired() {
        return HTTP_TOKENS_REQUIRED.equals(httpTokens);
    }

    /** Whether the instance still holds its private address (everything but a finished termination does). */
    boolean holdsAddress() {
        return !(intent == Intent.TERMINATED && operation == Operation.NONE);
    }
}
