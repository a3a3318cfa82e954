package dev.nube.engine.compute.terminal;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.channel.direct.PTYMode;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.userauth.UserAuthException;

/**
 * An SSH login shell with a pseudo-terminal (xterm-256color), authenticated with a private key file. The server's
 * host key is checked against a known_hosts file under an alias (the instance id, since loopback ports are reused):
 * trusted on first use, refused if it changes later, exactly as {@code ssh -o HostKeyAlias=ALIAS
 * -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=FILE} does, so the stock client shares the file (the
 * command {@code InstanceService.connectInfo} offers names the engine's known_hosts file that way).
 */
public final class SshTerminal implements TerminalChannel {
    private final SSHClient client;
    private final Session session;
    private final Session.Shell shell;
    private volatile String endReason = "";

    private SshTerminal(SSHClient client, Session session, Session.Shell shell) {
        this.client = client;
        this.session = session;
        this.shell = shell;
    }

    /**
     * Connects and starts a shell; throws {@code Connect.Failed} with the reason (refused, authentication, host key
     * changed, timeout). Blocks for the SSH handshake: never call on a UI thread.
     */
    public static SshTerminal open(String host, int port, String user, Path privateKey, String hostAlias,
                                   Path knownHosts, int columns, int rows) {
        SSHClient client = new SSHClient();
        try {
            client.addHostKeyVerifier(new TrustOnFirstUse(knownHosts, hostAlias));
            client.setConnectTimeout(15_000);
            client.connect(host, port);
            client.authPublickey(user, client.loadKeys(privateKey.toString()));
            Session session = client.startSession();
            session.allocatePTY("xterm-256color", columns, rows, 0, 0, Map.<PTYMode, Integer>of());
            Session.Shell shell = session.startShell();
            return new SshTerminal(client, session, shell);
        } catch (UserAuthException e) {
            closeQuietly(client);
            throw new EngineException("Connect.Failed", "The instance refused the key " + privateKey.getFileName()
                    + " for user " + user + ". Was it launched with this key pair?", e);
        } catch (TransportException e) {
            closeQuietly(client);
            // sshj says "Could not verify `ssh-ed25519` host key with fingerprint ..."; the reason code is what counts.
            String reason = e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE
                    ? "its host key changed since the last login (known hosts: " + knownHosts + "). If the instance"
                    + " was rebuilt on purpose, remove the line for " + hostAlias + " from that file."
                    : String.valueOf(e.getMessage());
            throw new EngineException("Connect.Failed", "Could not connect to " + hostAlias + ": " + reason, e);
        } catch (IOException e) {
            closeQuietly(client);
            throw new EngineException("Connect.Failed", "Could not connect to " + hostAlias + " at " + host + ":"
                    + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream input() {
        return shell.getInputStream();
    }

    @Override
    public OutputStream output() {
        return shell.getOutputStream();
    }

    @Override
    public void resize(int columns, int rows) {
        try {
            shell.changeWindowDimensions(columns, rows, 0, 0);
        } catch (IOException e) {
            endReason = "the connection dropped (" + e.getMessage() + ")";
        }
    }

    @Override
    public boolean isOpen() {
        return shell.isOpen() && client.isConnected();
    }

    @Override
    public String endReason() {
        if (!endReason.isEmpty()) {
            return endReason;
        }
        return isOpen() ? "" : "the connection was closed (the shell exited or the instance went away)";
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(client);
    }

    private static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    /** Known hosts under an alias, accepting a new host and refusing a changed key (OpenSSH's accept-new). */
    private static final class TrustOnFirstUse implements HostKeyVerifier {
        private final Path file;
        private final String alias;

        TrustOnFirstUse(Path file, String alias) {
            this.file = file;
            this.alias = alias;
        }

        @Override
        public synchronized boolean verify(String hostname, int port, PublicKey key) {
            try {
                OpenSSHKnownHosts known = new OpenSSHKnownHosts(file.toFile()) {
                    @Override
                    protected boolean hostKeyUnverifiableAction(String host, PublicKey unknown) {
                        try {
                            entries().add(new HostEntry(null, host, KeyType.fromKey(unknown), unknown));
                            PrivateFiles.ensureFile(file); // write() keeps the mode of a file that is there
                            write();
                            return true;
                        } catch (Exception e) {
                            return false;
                        }
                    }
                };
                return known.verify(alias, 22, key);
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public List<String> findExistingAlgorithms(String hostname, int port) {
            try {
                return new OpenSSHKnownHosts(file.toFile()).findExistingAlgorithms(alias, 22);
            } catch (IOException e) {
                return List.of();
            }
        }
    }
}
