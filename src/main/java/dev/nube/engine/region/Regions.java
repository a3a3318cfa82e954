package dev.nube.engine.region;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.store.UnreadableDocumentException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The region registry: one document per region under {@code $NUBE_HOME/config/regions/}, and a marker document in
 * each region's root so that a root is never mistaken for, or created over, a folder that is not a region's.
 * A region opens only while its root holds its marker: a root on a disk that is not mounted is reported in
 * {@link #problems()} and left alone (nothing is written where the disk should be). Thread-safe: changes are
 * serialised on this object.
 */
public final class Regions implements RegionService {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}[a-z0-9]");
    private static final String MARKER = "region.json";
    private static final System.Logger LOG = System.getLogger(Regions.class.getName());

    private final Path home;
    private final Path registry;
    private final EventBus events;
    private final List<RegionScoped> members = new CopyOnWriteArrayList<>();
    private final Map<String, Region> regions = new LinkedHashMap<>();
    /** Registered regions that did not open (root without its marker, unreadable document): never written to. */
    private final Set<String> unavailable = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    public Regions(Path home, EventBus events) {
        this.home = home;
        this.registry = home.resolve("config").resolve("regions");
        this.events = events;
        try { // nube credentials may be writing the access keys there now, from another process
            AtomicFiles.removeLeftovers(home.resolve("config"), java.time.Duration.ofMinutes(1));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove unfinished writes in " + home.resolve("config") + ": "
                    + e.getMessage());
        }
        removeLeftovers(registry);
        load();
        if (!regions.containsKey(DEFAULT_REGION) && !unavailable.contains(DEFAULT_REGION)) {
            create(DEFAULT_REGION, null);
        }
    }

    private synchronized void load() {
        if (!Files.isDirectory(registry)) {
            return;
        }
        List<Region> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(registry, "*.json")) {
            for (Path entry : entries) {
                try {
                    DocumentStore.read(entry, Region.class).ifPresent(found::add);
                } catch (UnreadableDocumentException e) {
                    problems.add(e.getMessage());
                    if (entry.getFileName().toString().equals(DEFAULT_REGION + ".json")) {
                        openDefaultWithoutDocument();
                    }
                }
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot list regions in " + registry + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparing(Region::name));
        for (Region region : found) {
            String problem = markerProblem(region);
            if (problem == null) {
                regions.put(region.name(), region);
                removeLeftovers(region);
            } else {
                unavailable.add(region.name());
                problems.add("Region " + region.name() + " is not opened: " + problem);
            }
        }
    }

    /**
     * The default region's document cannot be read: it stays as it is (for the person to repair), and the region
     * opens at its default place so that the console still works. Its document is not rewritten.
     */
    private void openDefaultWithoutDocument() {
        Path dir = defaultRoot(DEFAULT_REGION);
        try {
            String problem = markerProblem(new Region(DEFAULT_REGION, dir, Instant.now()));
            if (problem != null) {
                throw EngineException.invalid(problem);
            }
            regions.put(DEFAULT_REGION, new Region(DEFAULT_REGION, dir, Instant.now()));
            problems.add("Region " + DEFAULT_REGION + " is opened at its default place " + dir + " while its document"
                    + " cannot be read.");
        } catch (RuntimeException e) {
            unavailable.add(DEFAULT_REGION);
            problems.add("Region " + DEFAULT_REGION + " is not opened: " + e.getMessage());
        }
    }

    /**
     * Removes what writes of documents cut short by a stopped engine left in an opened region: in its root and in
     * each resource's folder. Runs while the region opens, before any service writes in it.
     */
    private static void removeLeftovers(Region region) {
        removeLeftovers(region.root());
        for (ResourceKind kind : ResourceKind.values()) {
            try {
                new ResourceCollection<>(kind, region.root(), Object.class).removeLeftovers();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove unfinished writes in region " + region.name()
                        + ": " + e.getMessage());
            }
        }
    }

    private static void removeLeftovers(Path dir) {
        try {
            AtomicFiles.removeLeftovers(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove unfinished writes in " + dir + ": " + e.getMessage());
        }
    }

    private Path defaultRoot(String name) {
        return home.resolve("regions").resolve(name);
    }

    /**
     * Why {@code region}'s root is not its own, or null when it holds the region's marker. The default region at its
     * default place (inside the data folder, so no other disk is involved) may claim its marker again.
     */
    private String markerProblem(Region region) {
        Path marker = region.root().resolve(MARKER);
        try {
            if (!Files.exists(marker) && region.name().equals(DEFAULT_REGION)
                    && region.root().equals(defaultRoot(DEFAULT_REGION))) {
                DocumentStore.write(marker, new RegionMarker(DEFAULT_REGION));
                return null;
            }
            if (!Files.exists(marker)) {
                return region.root() + " holds no " + MARKER + " (is the disk it lives on mounted?)";
            }
            RegionMarker found = DocumentStore.read(marker, RegionMarker.class).orElse(null);
            if (found == null || !region.name().equals(found.region())) {
                return region.root() + " holds region '" + (found == null ? "?" : found.region()) + "', not this one";
            }
            return null;
        } catch (RuntimeException e) {
            return "its marker " + marker + " cannot be read: " + e.getMessage();
        }
    }

    /**
     * Adds a service that keeps resources per region and opens every known region for it. A region the service
     * fails to open is recorded in {@link #problems()}; the other regions still open.
     */
    public void register(RegionScoped member) {
        members.add(member);
        for (Region region : list()) {
            try {
                member.regionOpened(region);
            } catch (RuntimeException e) {
                String problem = "Region " + region.name() + ": " + member.getClass().getSimpleName()
                        + " could not open it: " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, problem, e);
                synchronized (this) {
                    problems.add(problem);
                }
            }
        }
    }

    public void unregister(RegionScoped member) {
        members.remove(member);
    }

    /**
     * What stopped a region from opening, in words: documents that could not be read (left untouched on disk),
     * roots without their marker, services that failed to open a region.
     */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    @Override
    public synchronized List<Region> list() {
        List<Region> all = new ArrayList<>(regions.values());
        all.sort(Comparator.comparing((Region r) -> !r.name().equals(DEFAULT_REGION)).thenComparing(Region::name));
        return all;
    }

    @Override
    public synchronized Region get(String name) {
        Region region = regions.get(name);
        if (region == null) {
            throw new EngineException("InvalidRegion", "There is no region named '" + name + "'.");
        }
        return region;
    }

    @Override
    public Region create(String name, Path root) {
        Region region;
        synchronized (this) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw EngineException.invalid("A region name has 2 to 32 characters: lower-case letters, digits and"
                        + " hyphens, starting with a letter and not ending with a hyphen (e.g. local-2).");
            }
            if (regions.containsKey(name) || unavailable.contains(name)) {
                throw new EngineException("RegionAlreadyExists", "A region named '" + name + "' already exists"
                        + (unavailable.contains(name) ? " (it is not opened: see the region problems)." : "."));
            }
            Path dir = root == null ? defaultRoot(name) : root.toAbsolutePath().normalize();
            claimRoot(name, dir);
            region = new Region(name, dir, Instant.now());
            DocumentStore.write(registry.resolve(name + ".json"), region);
            regions.put(name, region);
        }
        for (RegionScoped member : members) {
            member.regionOpened(region);
        }
        events.publish(new RegionsChanged());
        return region;
    }

    private void claimRoot(String name, Path dir) {
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            RegionMarker existing = DocumentStore.read(marker, RegionMarker.class).orElseThrow();
            if (!existing.region().equals(name)) {
                throw EngineException.invalid(dir + " already holds region '" + existing.region() + "'.");
            }
            return;
        }
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw EngineException.invalid(dir + " is a file, not a folder.");
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) {
                    throw EngineException.invalid(dir + " is not empty. Choose an empty folder for the region.");
                }
            } catch (IOException e) {
                throw EngineException.invalid("Cannot read " + dir + ": " + e.getMessage());
            }
        }
        if (!Files.isWritable(dir.getParent() == null ? dir : nearestExisting(dir))) {
            throw EngineException.invalid("Cannot write in " + dir + ".");
        }
        DocumentStore.write(marker, new RegionMarker(name));
        try {
            PrivateFiles.restrict(dir); // an empty folder the person chose may have been open to others
        } catch (IOException e) {
            throw EngineException.invalid("Cannot make " + dir + " readable by its owner only: " + e.getMessage());
        }
    }

    private static Path nearestExisting(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? dir : p;
    }

    @Override
    public void remove(String name) {
        Region region = get(name);
        if (name.equals(DEFAULT_REGION)) {
            throw new EngineException("OperationNotPermitted", "The default region " + DEFAULT_REGION
                    + " cannot be removed.");
        }
        List<String> contents = new ArrayList<>();
        for (RegionScoped member : members) {
            contents.addAll(member.contentsOf(region));
        }
        if (!contents.isEmpty()) {
            throw new EngineException("DependencyViolation", "Region '" + name + "' still holds "
                    + String.join(", ", contents) + ". Delete them first.");
        }
        for (RegionScoped member : members) {
            member.regionRemoved(region);
        }
        synchronized (this) {
            try {
                Files.deleteIfExists(registry.resolve(name + ".json"));
                // Only what Nube made: the empty resource folders and the marker. Anything else stays.
                for (ResourceKind kind : ResourceKind.values()) {
                    deleteIfEmpty(region.root().resolve(kind.folder()));
                }
                Files.deleteIfExists(region.root().resolve(MARKER));
                Files.deleteIfExists(region.root().resolve(PrivateFiles.CHECKED_MARKER));
                deleteIfEmpty(region.root());
            } catch (IOException e) {
                throw new EngineException("StorageError", "Could not remove region '" + name + "': "
                        + e.getMessage(), e);
            }
            regions.remove(name);
        }
        events.publish(new RegionsChanged());
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                return;
            }
        }
        Files.delete(dir);
    }

    /** Counts the readable and unreadable resources of a listing, for {@link RegionScoped#contentsOf}. */
    public static List<String> describe(Listing<?> listing, long defaults, String singular, String plural) {
        long count = listing.items().size() - defaults + listing.problems().size();
        if (count <= 0) {
            return List.of();
        }
        return List.of(count + " " + (count == 1 ? singular : plural));
    }

    /** Written in every region root so a root is recognised as one. */
    record RegionMarker(String region) {
    }
}
