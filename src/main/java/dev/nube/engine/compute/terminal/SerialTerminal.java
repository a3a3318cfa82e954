package dev.nube.engine.compute.terminal;

import dev.nube.engine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
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
        // Not Channels.newInputStream/newOutputStream: on JDK 17 both hold the channel's blocking lock, so a write
        // waits for a blocked read to end and typed keys never reach the guest. The channel itself reads and writes
        // concurrently.
        this.input = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                int count;
                do {
                    count = channel.read(ByteBuffer.wrap(bytes, offset, length));
                } while (count == 0);
                return count;
            }
        };
        this.output = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
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
