package dev.nube.engine.compute.instances;

import dev.nube.engine.compute.qemu.QemuMachine;
import java.util.List;

/**
 * What instances need of the volume service: the volumes attached to an instance besides its root volume (its QEMU
 * gets them at start), and what happens to them when the instance is terminated (deleted or detached, by each
 * attachment's delete-on-termination). Called under the instance's lock.
 */
public interface AttachedVolumes {
    AttachedVolumes NONE = new AttachedVolumes() {
        @Override
        public List<QemuMachine.DataDisk> attachedTo(String region, String instanceId) {
            return List.of();
        }

        @Override
        public void instanceTerminated(String region, String instanceId) {
        }
    };

    /** In the order they were attached. */
    List<QemuMachine.DataDisk> attachedTo(String region, String instanceId);

    void instanceTerminated(String region, String instanceId);
}
