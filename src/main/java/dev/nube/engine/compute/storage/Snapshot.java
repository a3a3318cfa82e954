package dev.nube.engine.compute.storage;

import java.time.Instant;

/**
 * A snapshot of a volume (EBS snapshot): a standalone compressed qcow2 file holding every block of the volume as it
 * was at {@code startTime}, with its checksum ({@code checksum}: SHA-256 over the SHA-256s of its 32 MiB parts, checked
 * by every use that reads it). {@code volumeSizeGiB} is the
 * size of the volume it was taken of (the smallest volume made from it); {@code storedBytes} what its file takes.
 * {@code progress} is 0-100 while {@code PENDING}. {@code copiedFrom} names the source of a copy
 * ({@code region/snap-...}), else null. {@code imageId}: the image this snapshot is the disk of, if any.
 */
public record Snapshot(String id, String volumeId, int volumeSizeGiB, String description, SnapshotState state,
                       int progress, Instant startTime, long storedBytes, String checksum, String copiedFrom,
                       String imageId) {

    public String stateName() {
        return state.awsName();
    }
}
