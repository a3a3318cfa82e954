package dev.nube.engine.compute.images;

import java.time.Instant;
import java.util.List;

/**
 * A machine image (AMI): a kernel, an initramfs and a root disk that instances start from. {@code rootDeviceGiB} is
 * the root disk's size, the smallest root volume an instance of it may have; {@code sizeBytes} is what its files take
 * on disk. {@code manifest} lists the Debian packages that went in; {@code source} says where it came from.
 * {@code imdsSupport} is EC2's AMI attribute: "v2.0" when the guest asks the metadata service for a token (IMDSv2),
 * so its instances require tokens unless told otherwise; null for images whose guest reads it without one.
 * {@code kernelArgs} is the command line its kernel boots with, null for Nube's tiny image's own.
 * {@code bootMode} says how its instances start: null for Nube's direct kernel boot (QEMU loads the image's kernel and
 * initramfs from its folder), {@link #BOOT_BIOS} or {@link #BOOT_UEFI} for an image that boots from its own disk, with
 * its own boot loader (an imported cloud image): under SeaBIOS, or under OVMF's UEFI firmware.
 */
public record Image(String id, String name, String description, String architecture, int rootDeviceGiB,
                    long sizeBytes, Instant createdAt, String source, String kernelRelease, String sshUser,
                    List<ImagePackage> manifest, ImageState state, String snapshotId, String imdsSupport,
                    String kernelArgs, String bootMode) {
    /** The {@code imdsSupport} of an image whose guest uses IMDSv2. */
    public static final String IMDS_V2 = "v2.0";
    /** The {@code bootMode} of an image started by the BIOS (SeaBIOS, QEMU's default) from its disk's boot code. */
    public static final String BOOT_BIOS = "bios";
    /** The {@code bootMode} of an image started by UEFI firmware (OVMF) from its disk's EFI system partition. */
    public static final String BOOT_UEFI = "uefi";

    public Image {
        manifest = List.copyOf(manifest);
        state = state == null ? ImageState.AVAILABLE : state;
    }

    /** True when instances of this image boot from its disk (BIOS or UEFI), not from a kernel in its folder. */
    public boolean bootsFromDisk() {
        return bootMode != null;
    }

    public boolean available() {
        return state == ImageState.AVAILABLE;
    }

    public Image withState(ImageState newState, long newSizeBytes) {
        return new Image(id, name, description, architecture, rootDeviceGiB, newSizeBytes, createdAt, source,
                kernelRelease, sshUser, manifest, newState, snapshotId, imdsSupport, kernelArgs, bootMode);
    }
}
