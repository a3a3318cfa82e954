package dev.nube;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code nube} command's options: what to do and, for the console, which data folder to open. A value object; the
 * text of {@link #HELP} is also the package's manual page.
 */
public record CommandLine(Action action, Optional<Path> dataDir) {
    /** What the command does. */
    public enum Action { CONSOLE, HELP, VERSION, CHECK }

    /** The console's parameter naming the data folder chosen with {@code --data-dir}. */
    static final String DATA_DIR = "data-dir";

    static final String HELP = """
            Usage: nube [--data-dir DIR]
                   nube --check
                   nube --help | --version

            Nube is a desktop cloud console: EC2-style instances (QEMU virtual machines) and Lambda-style functions
            (sandboxed processes) on this machine, managed by an engine inside the console.

            Options:
              --data-dir DIR  open the data folder DIR instead of $NUBE_HOME (created if missing)
              --check         check this machine without opening the console or your data: opens the engine on a
                              temporary data folder, prints the accelerator (KVM or TCG) and sandbox verdicts and
                              what is missing or weaker here (KVM, cgroups, unprivileged ports); exits 0 when
                              instances and functions can run, 1 when they cannot
              --version       print Nube's version and the Java runtime it runs on
              --help          print this text

            Environment:
              NUBE_HOME       the data folder (default $XDG_DATA_HOME/nube, that is ~/.local/share/nube)
              NUBE_CACHE      built guest images, downloaded packages, KVM verdicts (default
                              $XDG_CACHE_HOME/nube, that is ~/.cache/nube)

            Instances keep running when the console closes. Removing the nube package leaves the data folder and
            the cache in place; delete them yourself to remove your data.
            """;

    /** Parses the arguments; throws {@link IllegalArgumentException} saying what is wrong. */
    public static CommandLine parse(String... args) {
        Action action = Action.CONSOLE;
        Path dataDir = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            Action named = switch (arg) {
                case "--help", "-h" -> Action.HELP;
                case "--version" -> Action.VERSION;
                case "--check" -> Action.CHECK;
                default -> null;
            };
            if (named != null) {
                if (action != Action.CONSOLE && action != named) {
                    throw new IllegalArgumentException(arg + " cannot be combined with " + option(action));
                }
                action = named;
            } else if (arg.equals("--data-dir") || arg.startsWith("--data-dir=")) {
                String value = arg.equals("--data-dir") ? (i + 1 < args.length ? args[++i] : "")
                        : arg.substring("--data-dir=".length());
                if (value.isBlank()) {
                    throw new IllegalArgumentException("--data-dir needs a folder");
                }
                dataDir = Path.of(value).toAbsolutePath().normalize();
            } else {
                throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (dataDir != null && action != Action.CONSOLE) {
            throw new IllegalArgumentException("--data-dir applies to the console only, not to " + option(action));
        }
        return new CommandLine(action, Optional.ofNullable(dataDir));
    }

    private static String option(Action action) {
        return "--" + action.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The arguments the console application gets: its data folder as a named parameter, when chosen. */
    String[] consoleParameters() {
        return dataDir.map(dir -> new String[] {"--" + DATA_DIR + "=" + dir}).orElse(new String[0]);
    }
}
