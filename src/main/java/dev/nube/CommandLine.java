package dev.nube;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code nube} command's options: what to do and, for the console, {@code serve} and {@code credentials}, which
 * data folder to open (and for {@code serve}, which port). A value object; the text of {@link #HELP} is also the
 * package's manual page.
 */
public record CommandLine(Action action, Optional<Path> dataDir, OptionalInt port) {
    /** What the command does. */
    public enum Action { CONSOLE, SERVE, CREDENTIALS, HELP, VERSION, CHECK }

    /** The console's parameter naming the data folder chosen with {@code --data-dir}. */
    static final String DATA_DIR = "data-dir";

    static final String HELP = """
            Usage: nube [--data-dir DIR]
                   nube serve [--data-dir DIR] [--port PORT]
                   nube credentials [--data-dir DIR]
                   nube --check
                   nube --help | --version

            Nube is a desktop cloud console: EC2-style instances (QEMU virtual machines) and Lambda-style functions
            (sandboxed processes) on this machine, managed by an engine inside the console. The engine also serves
            the AWS API (EC2, Lambda, CloudWatch Logs) for the aws CLI and the AWS SDKs, on 127.0.0.1 unless you
            allow other machines on the console's Access keys page.

            Commands:
              (none)          open the console; it serves the AWS API while it runs
              serve           run the engine without a window, serving the AWS API, until Ctrl-C or SIGTERM
                              (instances keep running afterwards, as when the console closes)
              credentials     make an access key for the AWS API and print the lines for ~/.aws/credentials and
                              ~/.aws/config (the secret is shown only then)

            Options:
              --data-dir DIR  open the data folder DIR instead of $NUBE_HOME (created if missing)
              --port PORT     serve: the AWS API's port for this run (default: the saved setting, 4590)
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
        Integer port = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            Action named = switch (arg) {
                case "--help", "-h" -> Action.HELP;
                case "--version" -> Action.VERSION;
                case "--check" -> Action.CHECK;
                case "serve" -> i == 0 ? Action.SERVE : null;
                case "credentials" -> i == 0 ? Action.CREDENTIALS : null;
                default -> null;
            };
            if (named != null) {
                if (action != Action.CONSOLE && action != named) {
                    throw new IllegalArgumentException(arg + " cannot be combined with " + name(action));
                }
                action = named;
            } else if (arg.equals("--data-dir") || arg.startsWith("--data-dir=")) {
                String value = value(args, i, "--data-dir");
                if (arg.equals("--data-dir")) {
                    i++;
                }
                if (value.isBlank()) {
                    throw new IllegalArgumentException("--data-dir needs a folder");
                }
                dataDir = Path.of(value).toAbsolutePath().normalize();
            } else if (arg.equals("--port") || arg.startsWith("--port=")) {
                String value = value(args, i, "--port");
                if (arg.equals("--port")) {
                    i++;
                }
                if (!value.matches("[0-9]{1,5}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 65535) {
                    throw new IllegalArgumentException("--port needs a port number from 1 to 65535");
                }
                port = Integer.parseInt(value);
            } else {
                throw new IllegalArgumentException(arg.startsWith("-") ? "unknown option " + arg
                        : "unknown command " + arg);
            }
        }
        if (dataDir != null && action != Action.CONSOLE && action != Action.SERVE && action != Action.CREDENTIALS) {
            throw new IllegalArgumentException("--data-dir applies to the console, serve and credentials only, not to "
                    + name(action));
        }
        if (port != null && action != Action.SERVE) {
            throw new IllegalArgumentException("--port applies to serve only");
        }
        return new CommandLine(action, Optional.ofNullable(dataDir),
                port == null ? OptionalInt.empty() : OptionalInt.of(port));
    }

    private static String value(String[] args, int i, String option) {
        if (args[i].equals(option)) {
            return i + 1 < args.length ? args[i + 1] : "";
        }
        return args[i].substring(option.length() + 1);
    }

    private static String name(Action action) {
        return switch (action) {
            case SERVE -> "serve";
            case CREDENTIALS -> "credentials";
            default -> "--" + action.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The arguments the console application gets: its data folder as a named parameter, when chosen. */
    String[] consoleParameters() {
        return dataDir.map(dir -> new String[] {"--" + DATA_DIR + "=" + dir}).orElse(new String[0]);
    }
}
