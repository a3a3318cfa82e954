package dev.nube.engine.compute.images.tiny;

import dev.nube.engine.compute.qemu.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The root file system of "Nube Linux (tiny)" around the unpacked binaries: folders, busybox's applet links, the
 * accounts, and the init scripts kept as resources beside this class ({@code guest/}). Stateless.
 */
final class GuestRoot {
    /** The scripts under {@code guest/}; their content is part of the build's cache key. */
    static final List<String> SCRIPTS = List.of("init", "inittab", "rcS", "shutdown", "power-button", "udhcpc.script");

    private GuestRoot() {
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = GuestRoot.class.getResourceAsStream("guest/" + name)) {
            if (in == null) {
                throw new IOException("the guest script " + name + " is missing from Nube's resources");
            }
            return in.readAllBytes();
        }
    }

    /** Adds everything but the unpacked binaries to {@code root}, which already holds {@code bin/busybox}. */
    static void populate(Path root) throws IOException, InterruptedException {
        for (String dir : List.of("dev", "proc", "sys", "run", "mnt", "var/log", "var/lib/nube", "etc/dropbear",
                "etc/init.d", "etc/acpi/PWRF", "usr/share/udhcpc", "sbin", "usr/bin", "usr/sbin")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(root.resolve("root/.ssh"));
        Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(root.resolve("root/.ssh"), PosixFilePermissions.fromString("rwx------"));
        if (!Files.exists(root.resolve("lib64/ld-linux-x86-64.so.2"), LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(root.resolve("lib64"));
            Files.createSymbolicLink(root.resolve("lib64/ld-linux-x86-64.so.2"),
                    Path.of("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
        }
        linkApplets(root);
        script(root, "etc/inittab", "inittab", 0644);
        script(root, "etc/init.d/rcS", "rcS", 0755);
        script(root, "etc/init.d/shutdown", "shutdown", 0755);
        script(root, "etc/acpi/PWRF/00000080", "power-button", 0755);
        script(root, "etc/udhcpc.script", "udhcpc.script", 0755);
        text(root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
        text(root, "etc/group", "root:x:0:\n", 0644);
        text(root, "etc/shadow", "root:*:19000:0:99999:7:::\n", 0600);
        text(root, "etc/shells", "/bin/sh\n/bin/ash\n", 0644);
        text(root, "etc/hostname", "nube\n", 0644);
        text(root, "etc/hosts", "127.0.0.1 localhost\n", 0644);
        text(root, "etc/profile", "export PATH=/sbin:/bin:/usr/sbin:/usr/bin\nexport PS1='\\u@\\h:\\w\\$ '\n", 0644);
        text(root, "etc/os-release", "NAME=\"Nube Linux (tiny)\"\nID=nube\nPRETTY_NAME=\"Nube Linux (tiny)\"\n", 0644);
    }

    /** Links every busybox applet (as the static busybox itself lists them) that no real binary provides. */
    private static void linkApplets(Path root) throws IOException, InterruptedException {
        Path busybox = root.resolve("bin/busybox");
        String list = Commands.check(List.of(busybox.toString(), "--list-full"), root, Duration.ofSeconds(30));
        for (String applet : list.split("\n")) {
            String path = applet.strip();
            if (path.isEmpty() || path.equals("bin/busybox")) {
                continue;
            }
            Path link = root.resolve(path);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
        }
    }

    private static void script(Path root, String path, String resource, int mode) throws IOException {
        write(root, path, resource(resource), mode);
    }

    private static void text(Path root, String path, String content, int mode) throws IOException {
        write(root, path, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    private static void write(Path root, String path, byte[] content, int mode) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setPosixFilePermissions(file, DebArchive.permissions(mode));
    }

    /** A debugfs script that gives every file under {@code root} to root:root (mke2fs -d keeps the builder's ids). */
    static List<String> ownershipScript(Path root) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String inside = "/" + root.relativize(p).toString().replace("\\", "/");
                if (inside.equals("/")) {
                    continue;
                }
                lines.add("sif \"" + inside + "\" uid 0");
                lines.add("sif \"" + inside + "\" gid 0");
            }
        }
        return lines;
    }
}
