package dev.nube.engine.api;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.nube.engine.EngineException;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.Json;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The access keys in {@code config/access-keys.json} (mode 0600). Every change is a read, change and atomic write
 * under a lock file, so {@code nube credentials} in another process and the engine never lose each other's keys. A
 * signature check looks at the file's modification time and size and reads it again when they changed, so a key
 * made by another process is accepted at its first request and one deactivated or deleted is refused at once. When a key was
 * last used is kept in memory, not written on every request.
 */
public final class AccessKeys implements AccessKeyService {
    static final String FILE = "access-keys.json";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /** One key as stored: the secret with it. */
    record Stored(String id, String secret, String description, boolean active, Instant createdAt) {
    }

    private final Path file;
    private final Path lockFile;
    private final Object writeLock = new Object();
    private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
    private volatile Loaded loaded = new Loaded(List.of(), null, -1);

    private record Loaded(List<Stored> keys, FileTime modified, long size) {
    }

    /** The keys of the data folder {@code home} (in its {@code config} folder). */
    public AccessKeys(Path home) {
        Path config = home.resolve("config");
        this.file = config.resolve(FILE);
        this.lockFile = config.resolve(FILE + ".lock");
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public List<AccessKey> list() {
        return current().keys().stream().map(this::view).toList();
    }

    @Override
    public Created create(String description) {
        String text = description == null ? "" : description.strip();
        if (text.length() > 256) {
            throw new EngineException("ValidationError", "A key's description is at most 256 characters.");
        }
        Stored made = new Stored("AKIA" + random(ID_ALPHABET, 16), random(SECRET_ALPHABET, 40), text, true,
                Instant.now());
        change(keys -> {
            if (keys.size() >= MAX_KEYS) {
                throw new EngineException("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: " + MAX_KEYS
                        + ". Delete a key you no longer use first.");
            }
            List<Stored> more = new ArrayList<>(keys);
            more.add(made);
            return more;
        });
        return new Created(view(made), made.secret());
    }

    @Override
    public AccessKey setActive(String id, boolean active) {
        List<Stored> after = change(keys -> {
            find(keys, id);
            return keys.stream().map(k -> k.id().equals(id)
                    ? new Stored(k.id(), k.secret(), k.description(), active, k.createdAt()) : k).toList();
        });
        return view(find(after, id));
    }

    @Override
    public void delete(String id) {
        change(keys -> {
            find(keys, id);
            return keys.stream().filter(k -> !k.id().equals(id)).toList();
        });
        lastUsed.remove(id);
    }

    /** The secret of an active key, for a signature check; empty for an unknown or inactive key. */
    public Optional<String> secretOf(String id) {
        // Always the file as it is now (a stat when unchanged): a key deactivated or deleted is refused at once,
        // a key made by another process accepted at once.
        return activeKey(current().keys(), id).map(Stored::secret);
    }

    /** Notes that a request signed with {@code id} was accepted now. */
    public void used(String id) {
        lastUsed.put(id, Instant.now());
    }

    private static Optional<Stored> activeKey(List<Stored> keys, String id) {
        return keys.stream().filter(k -> k.id().equals(id) && k.active()).findFirst();
    }

    private AccessKey view(Stored key) {
        return new AccessKey(key.id(), key.description(), key.active(), key.createdAt(), lastUsed.get(key.id()));
    }

    private static Stored find(List<Stored> keys, String id) {
        return keys.stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow(() ->
                new EngineException("NoSuchEntity", "The access key " + id + " does not exist."));
    }

    /**
     * The keys as the file holds them now (read again only when it changed). Under the lock changes take too, so a
     * read of the file before a change can never replace what the change left in memory.
     */
    private Loaded current() {
        synchronized (writeLock) {
            return read();
        }
    }

    private Loaded read() {
        try {
            if (!Files.exists(file)) {
                return loaded = new Loaded(List.of(), null, -1);
            }
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            Loaded known = loaded;
            if (modified.equals(known.modified()) && size == known.size()) {
                return known;
            }
            List<Stored> keys = Json.mapper().readValue(Files.readAllBytes(file), new TypeReference<List<Stored>>() {
            });
            return loaded = new Loaded(List.copyOf(keys), modified, size);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot read the access keys in " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private List<Stored> change(UnaryOperator<List<Stored>> edit) {
        synchronized (writeLock) {
            try {
                PrivateFiles.createDirectories(lockFile.getParent());
                try (FileChannel channel = PrivateFiles.openChannel(lockFile, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
                    loaded = new Loaded(List.of(), null, -1); // read the file itself, under the lock
                    List<Stored> after = List.copyOf(edit.apply(read().keys()));
                    AtomicFiles.write(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(after),
                            OWNER_ONLY);
                    loaded = new Loaded(after, Files.getLastModifiedTime(file), Files.size(file));
                    return after;
                }
            } catch (IOException e) {
                throw new EngineException("StorageError", "Cannot save the access keys in " + file + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private static String random(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }
}
