package dev.nube.engine.compute.images.debian;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the Debian image into a folder, for a test that runs it as another user:
 * {@code BuildDebianImage CACHE TARGET}. Prints each step, then the kernel's release and the number of packages.
 */
public final class BuildDebianImage {
    private BuildDebianImage() {
    }

    public static void main(String[] args) throws Exception {
        Path target = Files.createDirectories(Path.of(args[1]));
        DebianImageBuilder.Built built = new DebianImageBuilder(Path.of(args[0])).build(target,
                (fraction, step) -> System.out.printf("%.2f %s%n", fraction, step));
        System.out.println("built " + built.kernelRelease() + " " + built.packages().size());
    }
}
