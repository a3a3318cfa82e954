package dev.nube.engine.compute.instances;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Whether an SSH server answers on a port. QEMU's user network accepts a forwarded connection before the guest
 * listens, so an open port proves nothing: only the {@code SSH-} banner does.
 */
public final class SshBanner {
    private SshBanner() {
    }

    /** True when {@code host:port} sends a line starting with {@code SSH-} within {@code timeoutMillis}. */
    public static boolean answers(String host, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            InputStream in = socket.getInputStream();
            byte[] expected = {'S', 'S', 'H', '-'};
            for (byte b : expected) {
                int c = in.read();
                if (c != b) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
