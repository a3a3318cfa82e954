package dev.nube.engine.functions;

/**
 * A problem a build on Deploy found in the function's code: where ({@code file}, a path in the code as the editor
 * names it, '/'-separated; {@code line} and {@code column} from 1, 0 when the tool did not say) and what, in the
 * compiler's words.
 */
public record BuildProblem(String file, int line, int column, String message) {
    public BuildProblem {
        if (file == null || message == null || line < 0 || column < 0) {
            throw new IllegalArgumentException("a build problem needs a file, a message and a line and column >= 0");
        }
    }

    /** "main.go:12:5: undefined: foo", as compilers print it. */
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line + (column > 0 ? ":" + column : "") : "") + ": " + message;
    }
}
