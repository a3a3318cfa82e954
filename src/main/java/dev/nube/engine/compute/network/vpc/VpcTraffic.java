package dev.nube.engine.compute.network.vpc;

/**
 * What one instance's NIC has carried on the private network, named as CloudWatch names an instance's network
 * metrics: <em>in</em> is what the network delivered to the instance, <em>out</em> what the instance sent into it
 * (counted whether or not it went anywhere). {@code droppedByRule} counts the instance's frames, and the frames of
 * its uplink, that its security groups or connection tracking refused; {@code droppedOther} those refused for any
 * other reason (malformed, spoofed, broadcast, no route, a full queue).
 */
public record VpcTraffic(long framesIn, long bytesIn, long framesOut, long bytesOut, long droppedByRule,
                         long droppedOther) {
    public static final VpcTraffic NONE = new VpcTraffic(0, 0, 0, 0, 0, 0);
}
