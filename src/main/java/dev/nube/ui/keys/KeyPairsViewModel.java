package dev.nube.ui.keys;

import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ResourceListModel;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The key pairs page: the list, and create, import, save and delete as commands. FX thread only. */
public final class KeyPairsViewModel {
    private final KeyPairService keyPairs;
    private final ConsoleContext context;
    private final ResourceListModel<KeyPair> list;

    public KeyPairsViewModel(KeyPairService keyPairs, ConsoleContext context) {
        this.keyPairs = keyPairs;
        this.context = context;
        this.list = new ResourceListModel<>(context, ResourceKind.KEY_PAIR, new ResourceListModel.Source<>(
                keyPairs::list, ResourceListModel.absentOn("InvalidKeyPair.NotFound", keyPairs::get), KeyPair::id),
                k -> k.name() + " " + k.id() + " " + k.type().label() + " " + k.fingerprint());
    }

    public ResourceListModel<KeyPair> list() {
        return list;
    }

    public void create(String name, KeyType type, int bits, Consumer<KeyPairService.Created> onCreated,
                       Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> keyPairs.create(region, name, type, bits), onCreated, onFailure);
    }

    public void importPublicKey(String name, String publicKey, Consumer<KeyPair> onImported,
                                Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> keyPairs.importPublicKey(region, name, publicKey), onImported, onFailure);
    }

    public void savePrivateKey(KeyPair keyPair, Path target, Runnable onSaved, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            keyPairs.savePrivateKey(region, keyPair.id(), target);
            return null;
        }, ignored -> onSaved.run(), onFailure);
    }

    /** Reads a small text file (a public key) in the background. */
    public void readText(Path file, Consumer<String> onRead, Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> java.nio.file.Files.readString(file), onRead, onFailure);
    }

    public void delete(KeyPair keyPair, Runnable onDeleted, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            keyPairs.delete(region, keyPair.id());
            return null;
        }, ignored -> onDeleted.run(), onFailure);
    }
}
