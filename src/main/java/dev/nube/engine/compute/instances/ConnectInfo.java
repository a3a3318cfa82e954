package dev.nube.engine.compute.instances;

import java.nio.file.Path;

/**
 * How to log in to a running instance over SSH: {@code host}:{@code port} on loopback forwards to the guest's port
 * 22. {@code privateKeyFile} is the key pair's private key (mode 0600), or null when Nube holds none (an imported key
 * or no key pair). {@code sshCommand} is the equivalent command line for any terminal. {@code loginProblem} says why
 * the console cannot log in by itself (no key pair, or one whose private key Nube does not hold), or is null.
 */
public record ConnectInfo(String instanceId, String host, int port, String user, Path privateKeyFile,
                          String sshCommand, String loginProblem) {
}
