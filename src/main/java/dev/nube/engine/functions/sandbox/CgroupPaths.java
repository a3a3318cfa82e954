package dev.nube.engine.functions.sandbox;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** Parses /proc/self/cgroup and /proc/self/mountinfo. Stateless. */
final class CgroupPaths {
    private CgroupPaths() {
    }

    /** This process's cgroup in the v1 hierarchy of {@code controller}, e.g. "/user.slice". */
    static Optional<String> v1Path(String selfCgroup, String controller) {
        return selfCgroup.lines().map(line -> line.split(":", 3)).filter(parts -> parts.length == 3)
                .filter(parts -> Arrays.asList(parts[1].split(",")).contains(controller))
                .map(parts -> parts[2]).findFirst();
    }

    /** This process's cgroup in the unified (v2) hierarchy: the line "0::/path". */
    static Optional<String> v2Path(String selfCgroup) {
        return selfCgroup.lines().map(line -> line.split(":", 3))
                .filter(parts -> parts.length == 3 && parts[0].equals("0") && parts[1].isEmpty())
                .map(parts -> parts[2]).findFirst();
    }

    /** Where the cgroup2 file system is mounted (the fifth field of a mountinfo line whose type is cgroup2). */
    static Optional<Path> v2Mount(String mountinfo) {
        for (String line : mountinfo.lines().toList()) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] after = line.substring(dash + 3).split(" ");
            String[] before = line.substring(0, dash).split(" ");
            if (after.length > 0 && after[0].equals("cgroup2") && before.length > 4) {
                return Optional.of(Path.of(before[4].replace("\\040", " ")));
            }
        }
        return Optional.empty();
    }

    static Path under(Path mount, String cgroupPath) {
        String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return relative.isEmpty() ? mount : mount.resolve(relative);
    }

    static String shellQuote(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }
}
