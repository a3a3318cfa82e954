package dev.nube.engine.compute.network.vpc;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The flows the network has let through, so their replies pass whatever the rules say (security groups are
 * stateful). A TCP or UDP flow is known by its five-tuple, an ICMP echo by its two addresses and its identifier, all
 * as the side that opened it sent them. A flow is forgotten after it idles past its protocol's timeout, when the
 * instance that opened it opens more than {@code maxPerInstance} (the oldest goes first), or when a new policy no
 * longer allows it.
 * <p>Threads: not thread-safe; used by the forwarding thread only.
 */
final class ConnectionTracker {
    static final long TCP_IDLE = TimeUnit.HOURS.toNanos(2);
    static final long TCP_CLOSING = TimeUnit.SECONDS.toNanos(60);
    static final long UDP_IDLE = TimeUnit.SECONDS.toNanos(180);
    static final long ICMP_IDLE = TimeUnit.SECONDS.toNanos(30);

    /** One flow, as its opener sent it. {@code port} and {@code code} are what the rules judged it by. */
    static final class Flow {
        final Key key;
        final String openerId;
        final boolean viaUplink;
        final int rulePort;
        final int ruleCode;
        long lastSeen;
        boolean openerFin;
        boolean replyFin;
        boolean reset;

        Flow(Key key, String openerId, boolean viaUplink, int rulePort, int ruleCode, long now) {
            this.key = key;
            this.openerId = openerId;
            this.viaUplink = viaUplink;
            this.rulePort = rulePort;
            this.ruleCode = ruleCode;
            this.lastSeen = now;
        }

        long timeout() {
            return switch (key.protocol) {
                case Frames.PROTO_TCP -> reset || (openerFin && replyFin) ? TCP_CLOSING : TCP_IDLE;
                case Frames.PROTO_UDP -> UDP_IDLE;
                default -> ICMP_IDLE;
            };
        }
    }

    /** A flow's identity. Mutable only so one probe can be reused for lookups without allocating. */
    static final class Key {
        int protocol;
        int source;
        int destination;
        int sourcePort;
        int destinationPort;

        Key set(int protocol, int source, int destination, int sourcePort, int destinationPort) {
            this.protocol = protocol;
            this.source = source;
            this.destination = destination;
            this.sourcePort = sourcePort;
            this.destinationPort = destinationPort;
            return this;
        }

        Key copy() {
            return new Key().set(protocol, source, destination, sourcePort, destinationPort);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.protocol == protocol && k.source == source
                    && k.destination == destination && k.sourcePort == sourcePort
                    && k.destinationPort == destinationPort;
        }

        @Override
        public int hashCode() {
            int h = protocol;
            h = h * 31 + source;
            h = h * 31 + destination;
            h = h * 31 + sourcePort;
            return h * 31 + destinationPort;
        }

        @Override
        public String toString() {
            return protocol + " " + Frames.dotted(source) + ":" + sourcePort + " > " + Frames.dotted(destination) + ":"
                    + destinationPort;
        }
    }

    private final int maxPerInstance;
    private final Map<Key, Flow> flows = new HashMap<>();
    /** Per opener, its flows oldest first. A flow is in both maps or in neither. */
    private final Map<String, LinkedHashMap<Key, Flow>> byOpener = new HashMap<>();

    ConnectionTracker(int maxPerInstance) {
        this.maxPerInstance = maxPerInstance;
    }

    /** The live flow with exactly this key, or null; an expired one is forgotten on the way. */
    Flow find(Key key, long now) {
        Flow flow = flows.get(key);
        if (flow != null && now - flow.lastSeen > flow.timeout()) {
            remove(flow);
            return null;
        }
        return flow;
    }

    /** Starts tracking a flow under a copy of {@code key}, evicting its opener's oldest flow when at the bound. */
    Flow open(Key key, String openerId, boolean viaUplink, int rulePort, int ruleCode, long now) {
        Flow flow = new Flow(key.copy(), openerId, viaUplink, rulePort, ruleCode, now);
        Flow previous = flows.get(flow.key);
        if (previous != null) {
            remove(previous);
        }
        LinkedHashMap<Key, Flow> own = byOpener.get(openerId);
        if (own != null && own.size() >= maxPerInstance) {
            remove(own.values().iterator().next());
        }
        flows.put(flow.key, flow);
        byOpener.computeIfAbsent(openerId, id -> new LinkedHashMap<>()).put(flow.key, flow);
        return flow;
    }

    /** Notes a packet of {@code flow}; {@code fromOpener} tells its direction, {@code tcpFlags} its TCP flags. */
    static void seen(Flow flow, boolean fromOpener, int tcpFlags, long now) {
        flow.lastSeen = now;
        if (flow.key.protocol == Frames.PROTO_TCP) {
            if ((tcpFlags & Frames.TCP_RST) != 0) {
                flow.reset = true;
            }
            if ((tcpFlags & Frames.TCP_FIN) != 0) {
                if (fromOpener) {
                    flow.openerFin = true;
                } else {
                    flow.replyFin = true;
                }
            }
        }
    }

    /** Forgets every flow that has idled past its timeout. */
    void expire(long now) {
        forgetIf(flow -> now - flow.lastSeen > flow.timeout());
    }

    /** Forgets every flow {@code unwanted} accepts; returns how many. */
    int forgetIf(Predicate<Flow> unwanted) {
        int forgotten = 0;
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
            Flow flow = it.next();
            if (unwanted.test(flow)) {
                it.remove();
                LinkedHashMap<Key, Flow> own = byOpener.get(flow.openerId);
                own.remove(flow.key);
                if (own.isEmpty()) {
                    byOpener.remove(flow.openerId);
                }
                forgotten++;
            }
        }
        return forgotten;
    }

    int size() {
        return flows.size();
    }

    private void remove(Flow flow) {
        flows.remove(flow.key);
        LinkedHashMap<Key, Flow> own = byOpener.get(flow.openerId);
        if (own != null) {
            own.remove(flow.key);
            if (own.isEmpty()) {
                byOpener.remove(flow.openerId);
            }
        }
    }
}
