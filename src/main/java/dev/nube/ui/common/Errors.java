package dev.nube.ui.common;

import dev.nube.engine.EngineException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns a failure into the sentence the console shows. */
public final class Errors {
    private Errors() {
    }

    public static String message(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof EngineException) {
            return e.getMessage();
        }
        String text = e.getMessage();
        return text == null || text.isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + text;
    }
}
