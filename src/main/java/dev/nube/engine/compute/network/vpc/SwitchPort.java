package dev.nube.engine.compute.network.vpc;

import dev.nube.engine.compute.network.vpc.VpcForwarder.Side;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One of the switch's connections: an instance's NIC (QEMU's stream netdev) or its uplink (passt), both unix sockets
 * carrying frames each preceded by its length as a 4-byte big-endian integer. It holds what has been read of a
 * frame not yet complete, and a bounded queue of frames waiting to be written: when the other side reads too
 * slowly the queue fills and further frames are dropped, as a real switch drops them, so that one paused guest
 * never holds up the others.
 * <p>Threads: used by the switch's thread only, except {@link #connected}, which any thread may read.
 */
final class SwitchPort {
    static final int QUEUE_BYTES = 512 * 1024;

    final String instanceId;
    final Side side;
    final Path path;
    /** Read but not yet forwarded; in write mode (filled from position 0). */
    final ByteBuffer in = ByteBuffer.allocate(Frames.MAX_FRAME + 4 + 64 * 1024);
    /** Waiting to be written; in write mode. */
    final ByteBuffer out = ByteBuffer.allocate(QUEUE_BYTES);
    SocketChannel channel;
    SelectionKey key;
    /** When to try connecting again ({@link System#nanoTime}); meaningful while {@link #channel} is null. */
    long retryAt;
    int failures;
    /** Queued for a flush at the end of the switch's current turn. */
    boolean dirty;
    volatile boolean connected;

    SwitchPort(String instanceId, Side side, Path path) {
        this.instanceId = instanceId;
        this.side = side;
        this.path = path;
    }

    /** Queues one frame; false when the port is not connected or its queue has no room (the frame is dropped). */
    boolean enqueue(byte[] frame, int offset, int length) {
        if (!connected || out.remaining() < 4 + length) {
            return false;
        }
        out.putInt(length);
        out.put(frame, offset, length);
        return true;
    }

    /** Writes what the queue holds, as far as the socket takes it; true when the queue is empty. */
    boolean flush() throws IOException {
        out.flip();
        try {
            channel.write(out);
        } finally {
            out.compact();
        }
        return out.position() == 0;
    }

    /** Closes the connection and forgets what was read and queued on it. */
    void disconnect() {
        connected = false;
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a unix socket fails only when it is already gone
            }
            channel = null;
        }
        in.clear();
        out.clear();
        dirty = false;
    }

    @Override
    public String toString() {
        return (side == Side.GUEST ? "the NIC of " : "the uplink of ") + instanceId + " (" + path + ")";
    }
}
