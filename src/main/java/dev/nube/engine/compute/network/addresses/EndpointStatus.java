package dev.nube.engine.compute.network.addresses;

/**
 * An endpoint as it is: listening (with its open connections, or UDP sessions), or not, with the reason
 * ({@code problem}: the address is not on this machine, the port is taken, ...).
 */
public record EndpointStatus(Endpoint endpoint, boolean listening, String problem, int connections) {
}
