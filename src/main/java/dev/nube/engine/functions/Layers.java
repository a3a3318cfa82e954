package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Layers stored per region: {@code regions/<region>/layers/<name>/<N>/} holding {@code layer.json}, the zip as
 * uploaded ({@code content.zip}) and its files, unzipped once at publish ({@code content/}); {@code last.json} beside
 * the versions keeps the highest number given, so a number is never given twice, even after its version is deleted.
 * A version is made in {@code .incoming-*} and renamed into place whole: a crash leaves a complete version or none.
 * Functions do not read these folders when they run: they get a merged copy of their layers ({@link #merge}) made of
 * hard links, which outlives the layer version. Thread-safe: publishing and deleting hold this object's lock.
 */
final class Layers implements LayerService {
    /** Lambda's limit of layers per function. */
    static final int MAX_LAYERS = 5;
    /** Lambda's limit of a zip uploaded directly (not through S3). */
    static final long MAX_ZIP_BYTES = 50L * 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,140}");
    private static final Pattern NAME_ARN = Pattern.compile("arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\\d{12}):layer:"
            + "([a-zA-Z0-9_-]+)");
    private static final Pattern VERSION_ARN = Pattern.compile("arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\\d{12})"
            + ":layer:([a-zA-Z0-9_-]+):([0-9]{1,9})");
    private static final Set<String> ARCHITECTURES = Set.of("x86_64", "arm64");
    private final RegionService regions;

    private record Last(int version) {
    }

    Layers(RegionService regions) {
        this.regions = regions;
    }

    private Path root(String region) {
        return regions.get(region).root().resolve("layers");
    }

    private Path versionDir(String region, String name, int version) {
        return root(region).resolve(name).resolve(Integer.toString(version));
    }

    /** The name a LayerName member gives: a plain name, or a layer's ARN in this region. */
    static String checkName(String region, String given) {
        if (given == null || given.isEmpty()) {
            throw FunctionRules.invalid("Enter a layer name.");
        }
        Matcher arn = NAME_ARN.matcher(given);
        if (arn.matches()) {
            if (!arn.group(1).equals(region) || !arn.group(2).equals(LayerVersion.ACCOUNT)) {
                throw FunctionRules.invalid("The layer " + given + " is not of this region and account ("
                        + LayerVersion.layerArn(region, arn.group(3)) + ").");
            }
            return arn.group(3);
        }
        if (!NAME.matcher(given).matches()) {
            throw FunctionRules.invalid("'" + given + "' is not a layer name: use 1 to 140 letters, digits, hyphens"
                    + " and underscores.");
        }
        return given;
    }

    @Override
    public LayerVersion publish(String region, PublishLayerRequest request, Path zip) {
        String name = checkName(region, request.name());
        FunctionRules.checkDescription(request.description());
        if (request.compatibleRuntimes().size() > 15) {
            throw FunctionRules.invalid("A layer lists at most 15 compatible runtimes.");
        }
        for (String runtime : request.compatibleRuntimes()) {
            if (!runtime.matches("[a-z0-9.]{1,40}")) {
                throw FunctionRules.invalid("'" + runtime + "' is not a runtime name (e.g. python3.11, nodejs20.x).");
            }
        }
        if (request.compatibleArchitectures().size() > 2 || !ARCHITECTURES.containsAll(
                request.compatibleArchitectures())) {
            throw FunctionRules.invalid("Compatible architectures are x86_64 and arm64 (at most both), not "
                    + request.compatibleArchitectures() + ".");
        }
        if (request.licenseInfo() != null && request.licenseInfo().length() > 512) {
            throw FunctionRules.invalid("LicenseInfo has at most 512 characters.");
        }
        if (!Files.isRegularFile(zip)) {
            throw FunctionRules.invalid("There is no file " + zip + ".");
        }
        try {
            if (Files.size(zip) > MAX_ZIP_BYTES) {
                throw new EngineException("RequestEntityTooLargeException", "The zip " + zip.getFileName() + " is "
                        + (Files.size(zip) >> 20) + " MB: a layer uploaded directly is at most 50 MB zipped.");
            }
        } catch (IOException e) {
            throw FunctionRules.invalid("Cannot read " + zip + ": " + e.getMessage());
        }
        Path staging = root(region).resolve(".incoming-" + java.util.UUID.randomUUID());
        try {
            // Unzipped and checked before a number is taken, outside the lock: a refused zip changes nothing.
            ZipPackages.unzip(zip, staging.resolve("content"));
            long unzipped = CodeFolder.size(staging.resolve("content"));
            PrivateFiles.copy(zip, staging.resolve("content.zip"));
            String sha = ZipPackages.sha256(staging.resolve("content.zip"));
            long size = Files.size(zip);
            synchronized (this) {
                Path layerDir = root(region).resolve(name);
                PrivateFiles.createDirectories(layerDir);
                int number = Math.max(DocumentStore.read(layerDir.resolve("last.json"), Last.class).map(Last::version)
                        .orElse(0), highestStored(layerDir)) + 1;
                LayerVersion version = new LayerVersion(region, name, number, request.description(), Instant.now(),
                        request.compatibleRuntimes(), request.compatibleArchitectures(), request.licenseInfo(), sha,
                        size, unzipped);
                DocumentStore.write(staging.resolve("layer.json"), version);
                DocumentStore.write(layerDir.resolve("last.json"), new Last(number)); // the number is taken first
                Files.move(staging, versionDir(region, name, number), StandardCopyOption.ATOMIC_MOVE);
                return version;
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not store the layer " + name + ": " + e.getMessage(), e);
        } finally {
            CodeFolder.deleteTree(staging); // gone already unless something failed
        }
    }

    private static int highestStored(Path layerDir) throws IOException {
        int highest = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(layerDir)) {
            for (Path entry : entries) {
                String n = entry.getFileName().toString();
                if (n.matches("[1-9][0-9]{0,8}")) {
                    highest = Math.max(highest, Integer.parseInt(n));
                }
            }
        }
        return highest;
    }

    @Override
    public List<LayerVersion> layers(String region) {
        Path root = root(region);
        List<LayerVersion> latest = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return latest;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (NAME.matcher(name).matches()) {
                    versions(region, name).stream().findFirst().ifPresent(latest::add);
                }
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot list the layers in " + root + ": " + e.getMessage(), e);
        }
        latest.sort(Comparator.comparing(LayerVersion::name));
        return latest;
    }

    @Override
    public List<LayerVersion> versions(String region, String name) {
        Path dir = root(region).resolve(checkName(region, name));
        List<LayerVersion> versions = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return versions;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().matches("[1-9][0-9]{0,8}")) {
                    DocumentStore.read(entry.resolve("layer.json"), LayerVersion.class).ifPresent(versions::add);
                }
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot list the versions in " + dir + ": " + e.getMessage(), e);
        }
        versions.sort(Comparator.comparingInt(LayerVersion::version).reversed());
        return versions;
    }

    private Optional<LayerVersion> find(String region, String name, int version) {
        if (version < 1) {
            return Optional.empty();
        }
        return DocumentStore.read(versionDir(region, checkName(region, name), version).resolve("layer.json"),
                LayerVersion.class);
    }

    @Override
    public LayerVersion version(String region, String name, int version) {
        return find(region, name, version).orElseThrow(() -> new EngineException("ResourceNotFoundException",
                "The resource you requested does not exist. (Layer version " + LayerVersion.layerArn(region,
                        checkName(region, name)) + ":" + version + ")"));
    }

    @Override
    public void delete(String region, String name, int version) {
        String checked = checkName(region, name);
        synchronized (this) {
            Path dir = versionDir(region, checked, version);
            if (version < 1 || !Files.isDirectory(dir)) {
                return;
            }
            try {
                // the document first: no half-deleted version is listed
                Files.deleteIfExists(dir.resolve("layer.json"));
            } catch (IOException e) {
                throw new EngineException("StorageError", "Could not delete " + dir + ": " + e.getMessage(), e);
            }
            CodeFolder.deleteTree(dir);
        }
    }

    @Override
    public Path content(String region, String name, int version) {
        version(region, name, version);
        return versionDir(region, checkName(region, name), version).resolve("content.zip");
    }

    /** Removes the versions a stopped engine left half made (they never got a number's folder). */
    void removeLeftStaging(String region) {
        Path root = root(region);
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> left = Files.newDirectoryStream(root, ".incoming-*")) {
            for (Path staging : left) {
                CodeFolder.deleteTree(staging);
            }
        } catch (IOException | RuntimeException e) {
            // tried again when the region next opens
        }
    }

    /**
     * The layers a function asks for, checked as Lambda checks them: at most five, each an existing version of this
     * region's account, no layer twice (its compatible runtimes are not checked: Lambda does not either). Layers the function already has ({@code current}) are kept as they are even when their version was
     * deleted since (Lambda lets a function keep a deleted layer version; it cannot be added anew).
     */
    List<FunctionLayer> resolve(String region, List<String> arns, List<FunctionLayer> current) {
        if (arns.size() > MAX_LAYERS) {
            throw FunctionRules.invalid("Cannot reference more than " + MAX_LAYERS + " layers.");
        }
        List<FunctionLayer> resolved = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String arn : arns) {
            Matcher m = arn == null ? null : VERSION_ARN.matcher(arn);
            if (m == null || !m.matches()) {
                throw new EngineException("ValidationException", "1 validation error detected: Value '" + arn
                        + "' at 'layers' failed to satisfy constraint: Member must satisfy regular expression pattern:"
                        + " arn:aws:lambda:<region>:<account>:layer:<name>:<version>");
            }
            if (!names.add(m.group(3))) {
                throw FunctionRules.invalid("Two different versions of the same layer are not allowed to be"
                        + " referenced in the same function. " + LayerVersion.layerArn(region, m.group(3))
                        + " appears more than once.");
            }
            Optional<FunctionLayer> kept = current.stream().filter(l -> l.arn().equals(arn)).findFirst();
            Optional<LayerVersion> found = m.group(1).equals(region) && m.group(2).equals(LayerVersion.ACCOUNT)
                    ? find(region, m.group(3), Integer.parseInt(m.group(4))) : Optional.empty();
            if (found.isEmpty()) {
                if (kept.isPresent()) {
                    resolved.add(kept.get());
                    continue;
                }
                throw FunctionRules.invalid("Layer version " + arn + " does not exist.");
            }
            // Its compatible runtimes are what the console offers it for; the API takes it for any, as Lambda's does.
            LayerVersion layer = found.get();
            resolved.add(new FunctionLayer(layer.arn(), layer.codeSize(), layer.unzippedSize()));
        }
        return resolved;
    }

    /** The unzipped files of the layer version {@code arn} (which {@link #resolve} accepted), or empty when deleted. */
    Optional<Path> contentDir(String region, String arn) {
        Matcher m = VERSION_ARN.matcher(arn);
        if (!m.matches()) {
            return Optional.empty();
        }
        Path dir = versionDir(region, m.group(3), Integer.parseInt(m.group(4)));
        return Files.isRegularFile(dir.resolve("layer.json")) ? Optional.of(dir.resolve("content"))
                : Optional.empty();
    }

    /**
     * Merges {@code contents} into {@code target} (which must not exist), in order: a later layer's file replaces an
     * earlier one's at the same path, as Lambda extracts layers one over the other. Files are hard links (nothing
     * is copied, and the merged tree keeps the files when a layer version is deleted), copies across file systems.
     * Made in a temporary folder beside {@code target} and renamed into place whole.
     */
    static void merge(List<Path> contents, Path target) {
        Path temp = target.resolveSibling(".building-" + java.util.UUID.randomUUID());
        try {
            PrivateFiles.createDirectories(temp);
            boolean[] link = {true};
            for (Path content : contents) {
                try (Stream<Path> walk = Files.walk(content)) {
                    for (Path from : walk.toList()) {
                        if (from.equals(content)) {
                            continue;
                        }
                        Path to = temp.resolve(content.relativize(from).toString());
                        boolean directory = Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS);
                        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                            if (directory && Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
                                continue;
                            }
                            CodeFolder.deleteTree(to); // the later layer's entry wins
                        }
                        if (directory) {
                            PrivateFiles.createDirectories(to);
                        } else if (Files.isSymbolicLink(from)) {
                            Files.createSymbolicLink(to, Files.readSymbolicLink(from));
                        } else {
                            linkOrCopy(from, to, link);
                        }
                    }
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not merge the layers into " + target + ": "
                    + e.getMessage(), e);
        } finally {
            CodeFolder.deleteTree(temp);
        }
    }

    private static void linkOrCopy(Path from, Path to, boolean[] link) throws IOException {
        if (link[0]) {
            try {
                Files.createLink(to, from);
                return;
            } catch (FileSystemException | UnsupportedOperationException e) {
                link[0] = false; // another file system: copy from now on
            }
        }
        Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** A short stable name for an ordered list of layers: the folder of their merged tree. */
    static String key(List<FunctionLayer> layers) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            for (FunctionLayer layer : layers) {
                digest.update((layer.arn() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
