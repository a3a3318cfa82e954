package dev.nube.engine.compute.images.tiny;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cached image build is reused only when it is whole: after a power cut it is built again, never booted broken. */
class TinyImageCacheTest {
    @TempDir
    Path dir;

    private Path sealedBuild() throws Exception {
        Path build = Files.createDirectories(dir.resolve("nube-linux-tiny-0123456789abcdef"));
        Files.writeString(build.resolve(TinyImageBuilder.KERNEL), "kernel");
        Files.writeString(build.resolve(TinyImageBuilder.INITRD), "initrd");
        Files.writeString(build.resolve(TinyImageBuilder.DISK), "QFI\u00fb disk");
        Files.writeString(build.resolve("kernel-release"), "6.1.0-1-amd64\n");
        TinyImageBuilder.seal(build);
        return build;
    }

    @Test
    void aSealedBuildIsComplete() throws Exception {
        assertTrue(TinyImageBuilder.isComplete(sealedBuild()));
    }

    @Test
    void aZeroLengthOrShortDiskIsNotReused() throws Exception {
        Path build = sealedBuild();
        Files.write(build.resolve(TinyImageBuilder.DISK), new byte[0]);
        assertFalse(TinyImageBuilder.isComplete(build), "a disk emptied by a power cut");
        Files.writeString(build.resolve(TinyImageBuilder.DISK), "QFI");
        assertFalse(TinyImageBuilder.isComplete(build), "a disk shorter than when it was built");
    }

    @Test
    void aBuildWithoutItsSizesOrWithAFileMissingIsNotReused() throws Exception {
        Path build = sealedBuild();
        Files.delete(build.resolve(TinyImageBuilder.INITRD));
        assertFalse(TinyImageBuilder.isComplete(build));
        Path other = sealedBuild();
        Files.writeString(other.resolve(TinyImageBuilder.INITRD), "initrd");
        Files.delete(other.resolve(dev.nube.engine.compute.images.BuildCache.SIZES));
        assertFalse(TinyImageBuilder.isComplete(other), "only kernel-release there, as the old check looked for");
        for (String name : List.of(TinyImageBuilder.KERNEL, TinyImageBuilder.DISK)) {
            assertTrue(Files.size(other.resolve(name)) > 0);
        }
    }
}
