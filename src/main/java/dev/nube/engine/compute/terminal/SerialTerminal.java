package dev.nube.engine.compute.terminal;

import dev.nube.engine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The instance's serial console: QEMU's chardev unix socket, the guest's ttyS0. It works whatever the state of the
 * guest's network, as EC2's serial console does. A serial line has no window size: resizing is ignored.
 */
public final class SerialTerminal implements TerminalChannel {
    private final SocketChannel channel;
    private final InputStream input;
    private final OutputStream output;

    private SerialTerminal(SocketChannel channel) {
        this.channel = channel;
        this.input = Channels.newInputStream(channel);
        this.output = Channels.newOutputStream(channel);
    }

    /** Connects to the serial socket; throws {@code Connect.Failed} if QEMU is not listening there. */
    public static SerialTerminal open(Path socket) {
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new SerialTerminal(channel);
        } catch (IOException e) {
            throw new EngineException("Connect.Failed", "Could not open the serial console at " + socket + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void resize(int columns, int rows) {
        // a serial line carries no window size
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public String endReason() {
        return channel.isOpen() ? "" : "the serial console closed (the instance stopped)";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }
}
