package dev.nube.engine.compute.images.debian;

import dev.nube.engine.compute.images.ImagePackage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads dpkg's database ({@code /var/lib/dpkg/status}) of an installed system: what is installed, at which version. */
final class DpkgStatus {
    private DpkgStatus() {
    }

    /** The packages whose status is "install ok installed", by name. */
    static List<ImagePackage> installed(Path status) throws IOException {
        return parse(Files.readString(status, StandardCharsets.UTF_8));
    }

    /**
     * {@code packages} with the SHA-256 of their .deb where {@code sums} ({@code sha256sum} of apt's cache, files
     * named {@code name_version_arch.deb}) has it; the rest as they are. No sums file: all as they are.
     */
    static List<ImagePackage> withChecksums(List<ImagePackage> packages, Path sums) throws IOException {
        if (!Files.isRegularFile(sums)) {
            return packages;
        }
        java.util.Map<String, String> byName = new java.util.HashMap<>();
        for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
            String[] f = line.strip().split("\\s+", 2);
            if (f.length == 2 && f[1].contains("_")) {
                byName.put(f[1].substring(0, f[1].indexOf('_')), f[0]);
            }
        }
        return packages.stream().map(p -> new ImagePackage(p.name(), p.version(),
                byName.getOrDefault(p.name(), p.sha256()))).toList();
    }

    static List<ImagePackage> parse(String text) {
        List<ImagePackage> packages = new ArrayList<>();
        for (String record : text.split("\n\n")) {
            String name = null;
            String version = null;
            String state = null;
            for (String line : record.split("\n")) {
                if (line.startsWith("Package: ")) {
                    name = line.substring(9).strip();
                } else if (line.startsWith("Version: ")) {
                    version = line.substring(9).strip();
                } else if (line.startsWith("Status: ")) {
                    state = line.substring(8).strip();
                }
            }
            if (name != null && version != null && "install ok installed".equals(state)) {
                packages.add(new ImagePackage(name, version, ""));
            }
        }
        packages.sort(Comparator.comparing(ImagePackage::name));
        return packages;
    }
}
