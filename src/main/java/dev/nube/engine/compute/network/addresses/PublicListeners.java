package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.network.Protocol;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The listeners that publish instances' allowed ports on their public addresses, one set per instance, kept equal to
 * what the instances engine asks for ({@link #publish}): new endpoints are opened, endpoints no longer wanted are
 * closed with their connections cut, and changed allowed sources apply to open connections at once. An endpoint that
 * cannot be opened (the address is not on this machine, the port is taken) is reported in {@link #status} and tried
 * again at the next {@link #publish}; it never stops the others. One per engine.
 *
 * <p>Thread rule: publishing, unpublishing, queries and closing are serialised on this object and never wait for
 * traffic; each listener runs on threads of its own (see {@link TcpListener}, {@link UdpListener}), and a sweeper
 * thread closes idle UDP sessions.
 */
public final class PublicListeners implements AutoCloseable {
    /** How long a UDP session may stay silent before it is closed. */
    public static final Duration UDP_IDLE = Duration.ofSeconds(60);

    private final Duration udpIdle;
    private final ScheduledExecutorService sweeper;
    private final Map<String, Published> byInstance = new HashMap<>();
    private boolean closed;

    /** What is published for one instance: the endpoints asked for last, in order, and how each one went. */
    private static final class Published {
        volatile TargetResolver targets;
        final Map<Endpoint.Key, Listener> listeners = new HashMap<>();
        /** The endpoints asked for, each with why it could not be opened (null when it was). */
        List<Asked> asked = List.of();
    }

    private record Asked(Endpoint endpoint, String problem) {
    }

    public PublicListeners() {
        this(UDP_IDLE);
    }

    /** With UDP sessions closed after {@code udpIdle} of silence. */
    public PublicListeners(Duration udpIdle) {
        this.udpIdle = udpIdle;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "public udp sessions sweeper");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(20, Math.min(5_000, udpIdle.toMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Makes {@code instanceId}'s listeners exactly {@code endpoints}, reaching the guest through {@code targets};
     * returns each endpoint's status, in order. An endpoint keyed like another of the list (same address, port and
     * protocol) is refused as a duplicate.
     */
    public synchronized List<EndpointStatus> publish(String instanceId, List<Endpoint> endpoints,
                                                     TargetResolver targets) {
        if (closed) {
            throw new IllegalStateException("the public listeners are closed");
        }
        Objects.requireNonNull(targets, "targets");
        Published published = byInstance.computeIfAbsent(instanceId, id -> new Published());
        published.targets = targets;
        Map<Endpoint.Key, Endpoint> wanted = new LinkedHashMap<>();
        List<Asked> asked = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            Endpoint first = wanted.putIfAbsent(endpoint.key(), endpoint);
            asked.add(new Asked(endpoint, first == null ? null : "Cannot listen on " + endpoint.key()
                    + " twice: only " + first + " is published."));
        }
        Map<Endpoint.Key, String> problems = new HashMap<>();
        // What is no longer wanted goes first, so that its port is free for the endpoint that takes its place.
        published.listeners.entrySet().removeIf(entry -> {
            Endpoint keep = wanted.get(entry.getKey());
            if (keep == null || keep.guestPort() != entry.getValue().endpoint().guestPort()
                    || entry.getValue().failure() != null) {
                entry.getValue().close();
                return true;
            }
            return false;
        });
        for (Endpoint endpoint : wanted.values()) {
            Listener open = published.listeners.get(endpoint.key());
            if (open != null) {
                open.update(endpoint);
                continue;
            }
            try {
                published.listeners.put(endpoint.key(), endpoint.protocol() == Protocol.TCP
                        ? TcpListener.open(endpoint, () -> published.targets)
                        : UdpListener.open(endpoint, () -> published.targets, udpIdle));
            } catch (IOException | RuntimeException e) {
                problems.put(endpoint.key(), problemOf(endpoint, e));
            }
        }
        published.asked = asked.stream().map(a -> a.problem() == null && problems.containsKey(a.endpoint().key())
                ? new Asked(a.endpoint(), problems.get(a.endpoint().key())) : a).toList();
        return status(instanceId);
    }

    /** Closes every listener of {@code instanceId} and cuts its connections; nothing happens when there is none. */
    public synchronized void unpublish(String instanceId) {
        Published published = byInstance.remove(instanceId);
        if (published != null) {
            published.listeners.values().forEach(Listener::close);
        }
    }

    /** Each endpoint asked for last, in order: listening (with its connections) or not, and why. */
    public synchronized List<EndpointStatus> status(String instanceId) {
        Published published = byInstance.get(instanceId);
        if (published == null) {
            return List.of();
        }
        List<EndpointStatus> statuses = new ArrayList<>();
        for (Asked asked : published.asked) {
            Listener listener = published.listeners.get(asked.endpoint().key());
            if (asked.problem() != null || listener == null) {
                statuses.add(new EndpointStatus(asked.endpoint(), false, asked.problem(), 0));
            } else if (listener.failure() != null) {
                statuses.add(new EndpointStatus(asked.endpoint(), false, "Stopped listening on "
                        + asked.endpoint().key() + ": " + listener.failure(), 0));
            } else {
                statuses.add(new EndpointStatus(listener.endpoint(), true, null, listener.connections()));
            }
        }
        return statuses;
    }

    /** What is actually listening for {@code instanceId} (for the console's Networking tab). */
    public List<Endpoint> endpoints(String instanceId) {
        return status(instanceId).stream().filter(EndpointStatus::listening).map(EndpointStatus::endpoint).toList();
    }

    /** Why endpoints of {@code instanceId} are not listening, one sentence each; empty when all are. */
    public List<String> problems(String instanceId) {
        return status(instanceId).stream().filter(s -> !s.listening()).map(EndpointStatus::problem).toList();
    }

    private synchronized void sweep() {
        long now = System.nanoTime();
        for (Published published : byInstance.values()) {
            published.listeners.values().forEach(listener -> listener.sweep(now));
        }
    }

    static String problemOf(Endpoint endpoint, Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String reason;
        if (e instanceof BindException && message.contains("assign")) {
            reason = endpoint.address().getHostAddress() + " is not an address of this machine";
        } else if (e instanceof BindException && message.contains("in use")) {
            reason = "another program (or another instance) already listens there";
        } else if (e instanceof SocketException && message.contains("denied")) {
            reason = "port " + endpoint.hostPort() + " is reserved for privileged programs on this machine";
        } else {
            reason = message;
        }
        return "Cannot listen on " + endpoint.key() + " for guest port " + endpoint.guestPort() + ": " + reason
                + ".";
    }

    /** Closes every listener of every instance. */
    @Override
    public synchronized void close() {
        closed = true;
        for (String instanceId : List.copyOf(byInstance.keySet())) {
            unpublish(instanceId);
        }
        sweeper.shutdownNow();
    }
}
