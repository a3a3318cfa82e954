package dev.nube;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiEndpoint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * {@code nube serve}: the engine without a window, serving the AWS API in the foreground. The first line on stdout
 * says where; after it come the engine's log and one line per request. Ctrl-C or SIGTERM closes the engine as the
 * console's window does (instances keep running).
 */
final class ServeCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private ServeCommand() {
    }

    static int run(Path home, OptionalInt port, PrintStream out) {
        System.setProperty(Engine.HOLDER_PROPERTY, "nube serve");
        Engine engine;
        try {
            engine = Engine.open(home);
        } catch (EngineException e) {
            System.err.println("nube serve: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            engine.close();
            stopped.countDown();
        }, "nube-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ApiEndpoint.Status status = port.isPresent()
                ? engine.apiHost().startWith(new ApiEndpoint.Settings(port.getAsInt(),
                        engine.api().settings().allowOtherMachines()))
                : engine.api().start();
        if (!status.serving()) {
            System.err.println("nube serve: " + status.problem());
            return 1; // the hook closes the engine
        }
        out.println("Serving the AWS API at " + status.url());
        out.flush();
        logTo(out);
        engine.apiHost().setRequestLog(line -> out.println(LocalTime.now().format(TIME) + " " + line));
        if (engine.accessKeys().list().stream().noneMatch(k -> k.active())) {
            out.println("No active access key yet: run ./nube credentials (or create one on the console's Access keys"
                    + " page) to sign requests.");
        }
        out.println("Data folder " + engine.home() + ". Stop with Ctrl-C; instances keep running.");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Sends the engine's log (java.util.logging, INFO and up) to {@code out} instead of stderr. */
    private static void logTo(PrintStream out) {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            if (handler instanceof ConsoleHandler) {
                root.removeHandler(handler);
            }
        }
        StreamHandler handler = new StreamHandler(out, new SimpleFormatter() {
            @Override
            public String format(LogRecord record) {
                String thrown = record.getThrown() == null ? "" : " (" + record.getThrown() + ")";
                return LocalTime.now().format(TIME) + " " + record.getLevel() + " " + formatMessage(record) + thrown
                        + System.lineSeparator();
            }
        }) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(Level.INFO);
        root.addHandler(handler);
    }
}
