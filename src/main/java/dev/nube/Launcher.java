package dev.nube;

import dev.nube.engine.Engine;
import dev.nube.engine.HostCheck;
import javafx.application.Application;

/**
 * The {@code nube} command: starts the console, or answers {@code --help}, {@code --version} and {@code --check}
 * without a window. It does not extend {@link Application}, so the JavaFX runtime can be loaded from the class path
 * (JediTermFX's module descriptor would not resolve on the module path).
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        CommandLine command;
        try {
            command = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("nube: " + e.getMessage() + " (nube --help lists the options)");
            System.exit(2);
            return;
        }
        switch (command.action()) {
            case HELP -> System.out.print(CommandLine.HELP);
            case VERSION -> System.out.println(version());
            case CHECK -> System.exit(check());
            case CONSOLE -> Application.launch(NubeApp.class, command.consoleParameters());
            case SERVE -> System.exit(ServeCommand.run(home(command), command.port(), System.out));
            case CREDENTIALS -> System.exit(CredentialsCommand.run(home(command), System.out));
        }
    }

    private static java.nio.file.Path home(CommandLine command) {
        return command.dataDir().orElseGet(() -> Engine.defaultHome(System.getenv()));
    }

    /** Nube's version (from the jar's manifest) and the Java runtime it runs on. */
    static String version() {
        String version = Launcher.class.getPackage().getImplementationVersion();
        return "Nube " + (version == null ? "(built from source, no version)" : version) + "\nJava "
                + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.home")
                + ")";
    }

    private static int check() {
        System.out.println(version().lines().findFirst().orElse("Nube") + ": what this machine lets Nube do"
                + " (checked on a temporary data folder)\n");
        try {
            HostCheck.Report report = HostCheck.run(Engine.defaultCache(System.getenv()));
            System.out.print(report.text());
            return report.ready() ? 0 : 1;
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("nube: the check failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
