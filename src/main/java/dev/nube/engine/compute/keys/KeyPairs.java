package dev.nube.engine.compute.keys;

import dev.nube.engine.EngineException;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;

/**
 * Key pairs stored per region: {@code keypairs/<id>/resource.json}, and for created keys {@code private-key}
 * (0600, folder 0700). Changes are serialised on this object so names stay unique.
 */
public final class KeyPairs implements KeyPairService, RegionScoped {
    static final String PRIVATE_KEY = "private-key";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final RegionService regions;
    private final EventBus events;

    public KeyPairs(RegionService regions, EventBus events) {
        this.regions = regions;
        this.events = events;
    }

    private ResourceCollection<KeyPair> collection(String region) {
        return new ResourceCollection<>(ResourceKind.KEY_PAIR, regions.get(region).root(), KeyPair.class);
    }

    @Override
    public synchronized Created create(String region, String name, KeyType type, int bits) {
        ResourceCollection<KeyPair> keys = collection(region);
        checkNewName(keys, name);
        if (type == KeyType.RSA && Arrays.stream(RSA_BITS).noneMatch(b -> b == bits)) {
            throw EngineException.invalid("RSA keys are created with 2048 or 4096 bits, not " + bits + ".");
        }
        if (type == KeyType.ECDSA) {
            throw EngineException.invalid("Nube creates ed25519 and RSA keys. Import an ECDSA public key instead.");
        }
        OpenSshKeys.Generated generated = OpenSshKeys.generate(type, bits, name);
        String id = Ids.newId(ResourceKind.KEY_PAIR);
        KeyPair keyPair = toKeyPair(id, name, generated.publicKey(), true);
        Path folder = keys.folderOf(id);
        try {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            AtomicFiles.write(folder.resolve(PRIVATE_KEY),
                    generated.privateKeyPem().getBytes(StandardCharsets.US_ASCII), OWNER_ONLY);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not save the private key in " + folder + ": "
                    + e.getMessage(), e);
        }
        // The document last: a crash before it leaves a folder with no document, reported and never shown as a key.
        keys.put(id, keyPair);
        events.publish(new ResourceChanged(region, ResourceKind.KEY_PAIR, id, Change.CREATED));
        return new Created(keyPair, generated.privateKeyPem());
    }

    @Override
    public synchronized KeyPair importPublicKey(String region, String name, String publicKeyText) {
        ResourceCollection<KeyPair> keys = collection(region);
        checkNewName(keys, name);
        SshPublicKey key = SshPublicKey.parse(publicKeyText);
        for (KeyPair existing : keys.list().items()) {
            if (existing.fingerprint().equals(key.fingerprint())) {
                throw new EngineException("InvalidKeyPair.Duplicate", "This public key is already imported as '"
                        + existing.name() + "' (" + existing.id() + ").");
            }
        }
        String id = Ids.newId(ResourceKind.KEY_PAIR);
        KeyPair keyPair = toKeyPair(id, name, key, false);
        keys.put(id, keyPair);
        events.publish(new ResourceChanged(region, ResourceKind.KEY_PAIR, id, Change.CREATED));
        return keyPair;
    }

    private static KeyPair toKeyPair(String id, String name, SshPublicKey key, boolean privateKeyKept) {
        return new KeyPair(id, name, key.type(), key.bits(), key.toOpenSsh(), key.fingerprint(), Instant.now(),
                privateKeyKept);
    }

    private static void checkNewName(ResourceCollection<KeyPair> keys, String name) {
        KeyPair.nameProblem(name).ifPresent(problem -> {
            throw EngineException.invalid(problem);
        });
        if (keys.list().items().stream().anyMatch(k -> k.name().equals(name))) {
            throw new EngineException("InvalidKeyPair.Duplicate", "A key pair named '" + name
                    + "' already exists in this region.");
        }
    }

    @Override
    public Listing<KeyPair> list(String region) {
        return collection(region).list();
    }

    @Override
    public KeyPair get(String region, String idOrName) {
        return collection(region).findByIdOrName(idOrName, KeyPair::name).orElseThrow(() -> notFound(idOrName));
    }

    private static EngineException notFound(String idOrName) {
        return new EngineException("InvalidKeyPair.NotFound", "The key pair '" + idOrName + "' does not exist.");
    }

    @Override
    public Path privateKeyFile(String region, String id) {
        KeyPair keyPair = get(region, id);
        Path file = collection(region).folderOf(keyPair.id()).resolve(PRIVATE_KEY);
        if (!keyPair.privateKeyKept() || !Files.isReadable(file)) {
            throw new EngineException("InvalidKeyPair.NoPrivateKey", "Nube has no private key for '"
                    + keyPair.name() + "': it was imported as a public key. Use your own private key to log in.");
        }
        return file;
    }

    @Override
    public void savePrivateKey(String region, String id, Path target) {
        Path source = privateKeyFile(region, id);
        try {
            AtomicFiles.write(target, Files.readAllBytes(source), OWNER_ONLY);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not write " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void delete(String region, String id) {
        KeyPair keyPair = get(region, id);
        collection(region).delete(keyPair.id());
        events.publish(new ResourceChanged(region, ResourceKind.KEY_PAIR, keyPair.id(), Change.DELETED));
    }

    @Override
    public java.util.List<String> contentsOf(Region region) {
        return Regions.describe(collection(region.name()).list(), 0, "key pair", "key pairs");
    }
}
