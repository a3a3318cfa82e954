package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.keys.KeyType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * EC2's key pair actions: CreateKeyPair (rsa or ed25519, pem), ImportKeyPair (the public key base64-encoded, as the
 * CLI sends a file), DescribeKeyPairs and DeleteKeyPair (which, as on EC2, succeeds for a name that is not there).
 * Thread-safe: every request works through the engine's thread-safe key pair service.
 */
final class Ec2KeyPairActions {
    private static final Set<String> KEY_TAGGABLE = Set.of("key-pair");

    private final Engine engine;
    private final Ec2Items items;

    Ec2KeyPairActions(Engine engine, Ec2Items items) {
        this.engine = engine;
        this.items = items;
    }

    void register(Ec2Api api) {
        api.put("CreateKeyPair", this::createKeyPair);
        api.put("ImportKeyPair", this::importKeyPair);
        api.put("DescribeKeyPairs", this::describeKeyPairs);
        api.put("DeleteKeyPair", this::deleteKeyPair);
    }

    private KeyPairService keys() {
        return engine.keyPairs();
    }

    private void createKeyPair(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String name = call.required("KeyName");
        String typeName = call.string("KeyType") == null ? "rsa" : call.string("KeyType");
        KeyType type = switch (typeName) {
            case "rsa" -> KeyType.RSA;
            case "ed25519" -> KeyType.ED25519;
            default -> throw EngineException.invalid("Invalid value '" + typeName + "' for KeyType: rsa or ed25519.");
        };
        String format = call.string("KeyFormat");
        if (format != null && !format.equals("pem")) {
            throw EngineException.invalid("Nube writes private keys in the pem format, not '" + format + "'.");
        }
        KeyPair.nameProblem(name).ifPresent(problem -> {
            throw EngineException.invalid(problem);
        });
        Map<String, String> tags = Ec2Items.tagSpecification(call, "key-pair", KEY_TAGGABLE);
        refuseTakenKeyName(region, name);
        call.checkDryRun();
        KeyPairService.Created created = keys().create(region, name, type, KeyPairService.RSA_BITS[0]);
        KeyPair key = created.keyPair();
        items.applyTags(region, key.id(), tags);
        xml.text("keyName", key.name()).text("keyFingerprint", key.fingerprint())
                .text("keyMaterial", created.privateKeyPem().strip()).text("keyPairId", key.id());
        Ec2Items.tagSet(xml, items.tagsOf(region, key.id()));
    }

    private void refuseTakenKeyName(String region, String name) {
        if (keys().list(region).items().stream().anyMatch(k -> k.name().equals(name))) {
            throw new EngineException("InvalidKeyPair.Duplicate", "The keypair '" + name + "' already exists.");
        }
    }

    private void importKeyPair(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String name = call.required("KeyName");
        String material = call.required("PublicKeyMaterial");
        String publicKey;
        try {
            publicKey = new String(Base64.getMimeDecoder().decode(material), StandardCharsets.UTF_8).strip();
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("Value for parameter PublicKeyMaterial is invalid: it must be base64.");
        }
        KeyPair.nameProblem(name).ifPresent(problem -> {
            throw EngineException.invalid(problem);
        });
        Map<String, String> tags = Ec2Items.tagSpecification(call, "key-pair", KEY_TAGGABLE);
        refuseTakenKeyName(region, name);
        if (call.bool("DryRun", false)) {
            dev.nube.engine.compute.keys.SshPublicKey.parse(publicKey);
            call.checkDryRun();
        }
        KeyPair key = keys().importPublicKey(region, name, publicKey);
        items.applyTags(region, key.id(), tags);
        xml.text("keyName", key.name()).text("keyFingerprint", key.fingerprint()).text("keyPairId", key.id());
        Ec2Items.tagSet(xml, items.tagsOf(region, key.id()));
    }

    private void describeKeyPairs(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<KeyPair> all = keys().list(region).items();
        List<KeyPair> found = new ArrayList<>();
        List<String> names = call.list("KeyName");
        List<String> ids = call.list("KeyPairId");
        for (String name : names) {
            found.add(all.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow(() -> new EngineException(
                    "InvalidKeyPair.NotFound", "The key pair '" + name + "' does not exist")));
        }
        for (String id : ids) {
            found.add(all.stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow(() -> new EngineException(
                    "InvalidKeyPair.NotFound", "The key pair '" + id + "' does not exist")));
        }
        if (names.isEmpty() && ids.isEmpty()) {
            found = all;
        }
        Predicate<KeyPair> matches = new Ec2Filters<KeyPair>()
                .on("key-name", KeyPair::name).on("key-pair-id", KeyPair::id)
                .on("fingerprint", KeyPair::fingerprint).on("key-type", k -> k.type().label())
                .tags(k -> items.tagsOf(region, k.id())).matcher(call.filters());
        boolean withPublicKey = call.bool("IncludePublicKey", false);
        call.checkDryRun();
        xml.open("keySet");
        for (KeyPair k : found.stream().distinct().filter(matches).toList()) {
            xml.open("item").text("keyPairId", k.id()).text("keyFingerprint", k.fingerprint())
                    .text("keyName", k.name()).text("keyType", k.type().label());
            Ec2Items.tagSet(xml, items.tagsOf(region, k.id()));
            if (withPublicKey) {
                xml.text("publicKey", k.publicKey());
            }
            xml.text("createTime", k.createdAt()).close();
        }
        xml.close();
    }

    /** As EC2: deleting a key pair that is not there succeeds. */
    private void deleteKeyPair(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String name = call.string("KeyName");
        String id = call.string("KeyPairId");
        if ((name == null || name.isEmpty()) && (id == null || id.isEmpty())) {
            throw new EngineException("MissingParameter", "The request must contain the parameter KeyName or"
                    + " KeyPairId");
        }
        KeyPair key = keys().list(region).items().stream().filter(k -> id != null ? k.id().equals(id)
                : k.name().equals(name)).findFirst().orElse(null);
        if (key == null && id != null) {
            throw new EngineException("InvalidKeyPair.NotFound", "The key pair '" + id + "' does not exist");
        }
        call.checkDryRun();
        if (key != null) {
            keys().delete(region, key.id());
        }
        xml.text("return", true).text("keyPairId", key == null ? null : key.id());
    }
}
