package dev.nube.engine.compute.instances;

import dev.nube.engine.store.Listing;
import java.nio.file.Path;
import java.util.List;

/**
 * Instances per region (EC2 RunInstances, Describe/Start/Stop/Reboot/TerminateInstances, GetConsoleOutput), each a
 * real QEMU virtual machine that outlives the console. Operations on one instance are serialised; on different
 * instances they run concurrently. Every call may block (QEMU, QMP, disks): never call from a UI thread. State
 * changes are published as {@link InstanceStateChanged} and {@link dev.nube.engine.store.ResourceChanged}. Errors
 * are {@link dev.nube.engine.EngineException}s with EC2's codes: {@code InvalidInstanceID.NotFound},
 * {@code IncorrectInstanceState} (the message names the instance and its state), {@code InvalidAMIID.NotFound},
 * {@code InvalidKeyPair.NotFound}, {@code InvalidGroup.NotFound}, {@code InvalidParameterValue},
 * {@code InsufficientInstanceCapacity}; nothing is changed when one is thrown by validation.
 */
public interface InstanceService {
    /** The instance types, smallest first; those larger than this machine are listed but refused at launch. */
    List<InstanceType> instanceTypes();

    /** Null when {@code type} fits this machine, else the reason it does not ("needs 4 vCPUs; this machine has 2"). */
    String whyTypeDoesNotFit(InstanceType type);

    /**
     * Launches {@code request.count()} instances, as RunInstances: everything is checked first, every instance is
     * written and returned {@code pending} at once, and then each gets a root overlay on the image's disk and a QEMU
     * process in the background, a few at once; it turns {@code running} when its SSH server answers. An instance
     * whose QEMU does not start is shown terminated with the reason. {@code InstanceLaunchFailed} is thrown only when
     * the instances could not even be written (then none is left).
     */
    List<Instance> run(String region, RunRequest request);

    /** Every instance of the region, terminated ones included for an hour (as EC2 shows them). */
    Listing<Instance> list(String region);

    /** Throws {@code InvalidInstanceID.NotFound}. */
    Instance get(String region, String id);

    /** Starts a stopped instance; returns it {@code pending}. */
    Instance start(String region, String id);

    /**
     * Stops an instance: ACPI power button (QMP system_powerdown), and when the guest has not powered off within the
     * grace period, QEMU is killed (logged in the instance's log). Returns when it is {@code stopped}.
     */
    Instance stop(String region, String id);

    /** Reboots the guest (Ctrl-Alt-Del, a reset if it does not react). Returns when SSH answers again. */
    Instance reboot(String region, String id);

    /** Ends QEMU and deletes the root volume and every file of the instance; returns it {@code terminated}. */
    Instance terminate(String region, String id);

    /** Waits until the instance is in {@code state} (true) or {@code timeoutMillis} passed (false). */
    boolean awaitState(String region, String id, InstanceState state, long timeoutMillis) throws InterruptedException;

    /** The end of the serial console log (GetConsoleOutput), at most {@code maxBytes}; empty if none yet. */
    String consoleOutput(String region, String id, int maxBytes);

    /**
     * What the instance metadata service (169.254.169.254) answers this instance: every path it serves, sorted, with
     * its body as text. The same documents the guest reads.
     */
    java.util.SortedMap<String, String> metadata(String region, String id);

    /**
     * Sets EC2's metadata option HttpTokens (ModifyInstanceMetadataOptions): "required" serves only requests with a
     * session token (IMDSv2), "optional" plain ones too. A running instance's service follows at once. Refused for a
     * terminated instance and for any other value.
     */
    Instance setMetadataTokens(String region, String id, String httpTokens);

    /**
     * Replaces the instance's security groups (EC2 ModifyInstanceAttribute --groups): one to five groups of its
     * region, by id or name. A running instance's traffic follows the new groups at once.
     */
    Instance setSecurityGroups(String region, String id, List<String> groups);

    /**
     * Renames the instance (its {@code Name} tag): at most 256 characters, no control characters; an empty name
     * removes it. Allowed in every state.
     */
    Instance rename(String region, String id, String name);

    /**
     * How to log in by SSH: through the instance's public address, on the port its security groups publish for the
     * guest's port 22. Throws {@code IncorrectInstanceState} unless the instance is running.
     */
    ConnectInfo connectInfo(String region, String id);

    /**
     * The unix socket of the instance's serial console (a terminal connects to it; works without the guest's network).
     * Throws {@code IncorrectInstanceState} when it has no QEMU process.
     */
    Path serialConsoleSocket(String region, String id);

    /** Counts by state, images, key pairs and security groups, for the dashboard. */
    ComputeSummary summary(String region);

    /** Host capacity and what instances and everything else use of it. */
    HostUsage hostUsage();

    /**
     * Opens an SSH shell on a running instance, logged in with its key pair's private key, checking the host key
     * against the engine's known_hosts (trusted on first use, under the instance id). {@code Connect.NoKey} when
     * Nube holds no private key for it ({@link ConnectInfo#loginProblem}).
     */
    dev.nube.engine.compute.terminal.TerminalChannel openSshTerminal(String region, String id, int columns, int rows);

    /** Opens the instance's serial console (one client at a time; works without the guest's network). */
    dev.nube.engine.compute.terminal.TerminalChannel openSerialConsole(String region, String id);

    /**
     * Changes the instance type of a stopped instance (EC2 ModifyInstanceAttribute --instance-type): its next start
     * has the new type's vCPUs and memory. Refused with {@code IncorrectInstanceState} unless it is stopped, and with
     * {@code InvalidParameterValue} for a type this machine cannot run.
     */
    Instance setInstanceType(String region, String id, String instanceType);

    /** The instances' networks: addresses, published ports, the public address pool. */
    dev.nube.engine.compute.network.NetworkService network();

    /** The accelerator setting (automatic, KVM or TCG), kept in the data folder. */
    dev.nube.engine.compute.qemu.AcceleratorMode acceleratorMode();

    /** Changes the accelerator setting; instances started from now on follow it, running ones are not touched. */
    void setAcceleratorMode(dev.nube.engine.compute.qemu.AcceleratorMode mode);

    /**
     * Whether instances of Nube's tiny images launch by restoring a booted template (kept in the data folder; on by
     * default). Off, every launch boots.
     */
    boolean restoreLaunches();

    /** Changes {@link #restoreLaunches()}; launches from now on follow it. */
    void setRestoreLaunches(boolean on);
}
