package dev.nube.engine.api;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.SettingsFile;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The engine's {@link ApiEndpoint}: builds the services' protocols once the base URL is known and runs one
 * {@link ApiServer} at a time with the saved settings.
 */
public final class ApiHost implements ApiEndpoint, AutoCloseable {
    private final SettingsFile file;
    private final AccessKeys keys;
    private final Supplier<Set<String>> regions;
    private final List<ApiProtocol> protocols;
    private final EventBus events;
    private volatile Consumer<String> requestLog = line -> { };
    private ApiServer server;
    private Status status = new Status(false, null, null);

    /**
     * @param protocols the services' doors, given where the API is served (its base URL, for links they hand out;
     *                  null while it is not served)
     */
    public ApiHost(SettingsFile file, AccessKeys keys, Supplier<Set<String>> regions,
            Function<Supplier<String>, List<ApiProtocol>> protocols, EventBus events) {
        this.file = file;
        this.keys = keys;
        this.regions = regions;
        this.events = events;
        this.protocols = List.copyOf(protocols.apply(() -> status().url()));
    }

    /** Hears one line per answered request (what {@code nube serve} prints). */
    public void setRequestLog(Consumer<String> log) {
        this.requestLog = log;
    }

    @Override
    public Settings settings() {
        return file.read(Settings.class).orElse(Settings.defaults());
    }

    @Override
    public synchronized Status status() {
        return status;
    }

    @Override
    public synchronized Status start() {
        return startWith(settings());
    }

    /** Starts on {@code settings} without saving them (a port given on the command line, or port 0 in tests). */
    public synchronized Status startWith(Settings settings) {
        stopServer();
        try {
            InetAddress address = settings.allowOtherMachines() ? InetAddress.getByName("0.0.0.0")
                    : InetAddress.getByName("127.0.0.1");
            server = new ApiServer(new InetSocketAddress(address, settings.port()), protocols, keys, regions,
                    line -> requestLog.accept(line), Clock.systemUTC());
            status = new Status(true, "http://127.0.0.1:" + server.port(), null);
        } catch (BindException e) {
            server = null;
            boolean privileged = settings.port() < 1024 && String.valueOf(e.getMessage()).contains("denied");
            status = new Status(false, null, privileged
                    ? "Port " + settings.port() + " is below 1024, which only root may use: choose a port from 1024 up"
                    + " for the AWS API."
                    : "Port " + settings.port() + " is in use by another program: choose another port for the AWS"
                    + " API.");
        } catch (IOException e) {
            server = null;
            status = new Status(false, null, "The AWS API cannot listen on port " + settings.port() + ": "
                    + e.getMessage());
        }
        events.publish(new Changed(status));
        return status;
    }

    @Override
    public synchronized Status updateSettings(Settings settings) {
        if (settings.port() < 1 || settings.port() > 65535) {
            throw EngineException.invalid("The port must be between 1 and 65535.");
        }
        file.write(settings);
        return status.serving() ? startWith(settings) : status;
    }

    @Override
    public synchronized void stop() {
        stopServer();
        status = new Status(false, null, null);
        events.publish(new Changed(status));
    }

    private void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
