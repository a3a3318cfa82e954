package dev.nube.ui.terminal;

import com.techsenger.jeditermfx.core.TtyConnector;
import com.techsenger.jeditermfx.core.util.TermSize;
import dev.nube.engine.compute.terminal.TerminalChannel;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * Lets the terminal widget talk to a {@link TerminalChannel}: UTF-8 both ways, window size changes passed on.
 * The widget reads on its own thread; {@link #waitFor()} returns once the channel's input ended.
 */
final class ChannelTtyConnector implements TtyConnector {
    private final TerminalChannel channel;
    private final String name;
    private final Reader reader;
    private final CountDownLatch ended = new CountDownLatch(1);

    ChannelTtyConnector(TerminalChannel channel, String name) {
        this.channel = channel;
        this.name = name;
        this.reader = new InputStreamReader(channel.input(), StandardCharsets.UTF_8);
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        try {
            int count = reader.read(buffer, offset, length);
            if (count < 0) {
                ended.countDown();
            }
            return count;
        } catch (IOException e) {
            ended.countDown();
            throw e;
        }
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        channel.output().write(bytes);
        channel.output().flush();
    }

    @Override
    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean isConnected() {
        return channel.isOpen() && ended.getCount() > 0;
    }

    @Override
    public void resize(TermSize size) {
        channel.resize(size.getColumns(), size.getRows());
    }

    @Override
    public int waitFor() throws InterruptedException {
        ended.await();
        return 0;
    }

    @Override
    public boolean ready() throws IOException {
        return reader.ready();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public void close() {
        ended.countDown();
        channel.close();
    }
}
