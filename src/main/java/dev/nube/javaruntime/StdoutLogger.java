package dev.nube.javaruntime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The function's {@link LambdaLogger}: each message goes to stdout as one line (a newline is added when it has none),
 * where the engine reads the function's log from, as Lambda's text log format does; a message with a level is
 * prefixed with it ("[WARN] ..."). Thread-safe: one print per message.
 */
final class StdoutLogger implements LambdaLogger {
    private final PrintStream out;

    StdoutLogger(PrintStream out) {
        this.out = out;
    }

    @Override
    public void log(String message) {
        String text = String.valueOf(message);
        out.print(text.endsWith("\n") ? text : text + "\n");
        out.flush();
    }

    @Override
    public void log(byte[] message) {
        log(new String(message, StandardCharsets.UTF_8));
    }

    @Override
    public void log(String message, LogLevel level) {
        log(level == null || level == LogLevel.UNDEFINED ? message : "[" + level + "] " + message);
    }

    @Override
    public void log(byte[] message, LogLevel level) {
        log(new String(message, StandardCharsets.UTF_8), level);
    }
}
