package dev.nube.engine.compute.images.tiny;

import dev.nube.engine.store.PrivateFiles;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tukaani.xz.SingleXZInputStream;

/**
 * What the guest needs from Debian's kernel package: the kernel as an ELF {@code vmlinux} (QEMU boots it by PVH,
 * seconds faster under TCG than the bzImage) and the few modules a virtio guest with an ext4 root needs, in load
 * order. Stateless.
 */
final class GuestKernel {
    /** The modules the guest loads, by name; their dependencies come first, read from each module's .modinfo. */
    static final List<String> WANTED_MODULES = List.of("virtio_pci", "virtio_net", "virtio_blk", "virtio_rng",
            "crc32c_generic", "ext4", "button", "evdev");
    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

    private GuestKernel() {
    }

    /**
     * Writes the ELF kernel inside a Debian bzImage: the payload is the first xz stream in the file, which
     * decompresses to the vmlinux. Throws if no xz stream is found or it does not hold an ELF image.
     */
    static void extractVmlinux(Path bzImage, Path vmlinux) throws IOException {
        byte[] image = Files.readAllBytes(bzImage);
        int start = indexOf(image, XZ_MAGIC);
        if (start < 0) {
            throw new IOException(bzImage.getFileName() + " holds no xz-compressed kernel");
        }
        try (InputStream in = new SingleXZInputStream(new ByteArrayInputStream(image, start, image.length - start));
             OutputStream out = new BufferedOutputStream(PrivateFiles.newOutputStream(vmlinux), 1 << 16)) {
            byte[] head = in.readNBytes(4);
            if (!java.util.Arrays.equals(head, ELF_MAGIC)) {
                throw new IOException(bzImage.getFileName() + ": the decompressed kernel is not an ELF image");
            }
            out.write(head);
            in.transferTo(out);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A module's name as the kernel knows it: the file name without .ko, dashes as underscores. */
    static String moduleName(Path ko) {
        return ko.getFileName().toString().replaceFirst("\\.ko$", "").replace('-', '_');
    }

    /**
     * The load order of {@link #WANTED_MODULES} and everything they depend on. {@code modules} maps a module name to
     * its file. Throws when a wanted module or a dependency is missing.
     */
    static List<String> loadOrder(Map<String, Path> modules) throws IOException {
        Set<String> order = new LinkedHashSet<>();
        for (String name : WANTED_MODULES) {
            visit(name, modules, order, new ArrayList<>());
        }
        return List.copyOf(order);
    }

    private static void visit(String name, Map<String, Path> modules, Set<String> order, List<String> path)
            throws IOException {
        if (order.contains(name)) {
            return;
        }
        if (path.contains(name)) {
            throw new IOException("module dependency cycle: " + path + " -> " + name);
        }
        Path file = modules.get(name);
        if (file == null) {
            throw new IOException("the kernel package has no module " + name + (path.isEmpty() ? ""
                    : " (needed by " + path.get(path.size() - 1) + ")"));
        }
        path.add(name);
        for (String dep : dependencies(file)) {
            visit(dep, modules, order, path);
        }
        path.remove(path.size() - 1);
        order.add(name);
    }

    /** The {@code depends=} entry of a module's .modinfo section. */
    static List<String> dependencies(Path ko) throws IOException {
        byte[] bytes = Files.readAllBytes(ko);
        byte[] key = "depends=".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i <= bytes.length - key.length; i++) {
            if ((i == 0 || bytes[i - 1] == 0) && startsWith(bytes, i, key)) {
                int end = i + key.length;
                while (end < bytes.length && bytes[end] != 0) {
                    end++;
                }
                String list = new String(bytes, i + key.length, end - i - key.length, StandardCharsets.US_ASCII);
                List<String> deps = new ArrayList<>();
                for (String dep : list.split(",")) {
                    if (!dep.isBlank()) {
                        deps.add(dep.strip().replace('-', '_'));
                    }
                }
                return deps;
            }
        }
        return List.of();
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        for (int j = 0; j < prefix.length; j++) {
            if (bytes[at + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }
}
