package dev.nube.engine.compute.terminal;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A byte stream to an interactive terminal on an instance: an SSH shell with a pseudo-terminal, or the serial
 * console. {@link #input()} ends (-1) when the other side goes away. Reading and writing may happen on two threads.
 */
public interface TerminalChannel extends Closeable {
    /** What the guest writes. */
    InputStream input();

    /** What the person types. */
    OutputStream output();

    /** Tells the guest the terminal's new size (ignored where the transport cannot carry it, as on a serial line). */
    void resize(int columns, int rows);

    boolean isOpen();

    /** Why the channel ended, once it has ("connection closed by the instance"), else empty. */
    String endReason();

    @Override
    void close();
}
