package dev.nube.engine.region;

import static dev.nube.engine.EngineTestSupport.openWithoutKvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.store.ResourceCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionsTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultRegionExistsAndCannotBeRemoved() {
        try (Engine engine = openWithoutKvm(dir.resolve("home"))) {
            assertEquals(List.of("local-1"), engine.regions().list().stream().map(Region::name).toList());
            assertEquals("OperationNotPermitted", assertThrows(EngineException.class,
                    () -> engine.regions().remove("local-1")).code());
            assertEquals("InvalidRegion", assertThrows(EngineException.class,
                    () -> engine.keyPairs().list("nowhere")).code());
        }
    }

    @Test
    void regionsLiveWhereTheyAreToldAndAreRemovedOnlyWhenEmpty() throws Exception {
        Path otherDisk = dir.resolve("other-disk/nube-eu");
        try (Engine engine = openWithoutKvm(dir.resolve("home"))) {
            Region region = engine.regions().create("eu-local-1", otherDisk);
            assertEquals(otherDisk, region.root());
            engine.keyPairs().create("eu-local-1", "k", KeyType.ED25519, 0);
            assertTrue(Files.isDirectory(otherDisk.resolve("keypairs")));
            assertTrue(engine.keyPairs().list("local-1").items().isEmpty(), "regions are separate");

            EngineException notEmpty = assertThrows(EngineException.class,
                    () -> engine.regions().remove("eu-local-1"));
            assertEquals("DependencyViolation", notEmpty.code());
            assertTrue(notEmpty.getMessage().contains("still holds 1 key pair"), notEmpty.getMessage());
        }
        try (Engine engine = openWithoutKvm(dir.resolve("home"))) {
            assertEquals(List.of("local-1", "eu-local-1"),
                    engine.regions().list().stream().map(Region::name).toList());
            engine.keyPairs().delete("eu-local-1", "k");
            engine.regions().remove("eu-local-1");
            assertEquals(List.of("local-1"), engine.regions().list().stream().map(Region::name).toList());
            assertFalse(Files.exists(otherDisk), "the region's folder is removed with it");
        }
    }

    @Test
    void refusesBadNamesDuplicatesAndFoldersThatAreNotEmpty() throws Exception {
        Path busy = dir.resolve("busy");
        Files.createDirectories(busy);
        Files.writeString(busy.resolve("thesis.txt"), "precious");
        try (Engine engine = openWithoutKvm(dir.resolve("home"))) {
            for (String bad : new String[] {"", "A", "Local-2", "-x", "x-", "local_2", "a".repeat(33)}) {
                assertThrows(EngineException.class, () -> engine.regions().create(bad, null), bad);
            }
            assertEquals("RegionAlreadyExists", assertThrows(EngineException.class,
                    () -> engine.regions().create("local-1", null)).code());
            EngineException e = assertThrows(EngineException.class, () -> engine.regions().create("busy", busy));
            assertTrue(e.getMessage().contains("not empty"), e.getMessage());
            assertEquals("precious", Files.readString(busy.resolve("thesis.txt")));
        }
    }

    @Test
    void aRegionWhoseDiskIsNotMountedIsReportedAndNothingIsWrittenWhereItShouldBe() throws Exception {
        Path otherDisk = dir.resolve("usb/nube-eu");
        try (Engine engine = openWithoutKvm(dir.resolve("home"))) {
            engine.regions().create("eu-local-1", otherDisk);
            engine.keyPairs().create("eu-local-1", "k", KeyType.ED25519, 0);
        }
        ResourceCollection.deleteTree(dir.resolve("usb")); // the disk is unplugged: its mount point is gone
        try (Engine engine = openWithoutKvm(dir.resolve("home"))) {
            assertEquals(List.of("local-1"), engine.regions().list().stream().map(Region::name).toList());
            assertTrue(engine.regions().problems().stream().anyMatch(p -> p.contains("eu-local-1")
                    && p.contains("mounted")), engine.regions().problems().toString());
            assertFalse(Files.exists(otherDisk), "no empty region was made where the disk should be mounted");
            assertEquals("InvalidRegion", assertThrows(EngineException.class,
                    () -> engine.keyPairs().list("eu-local-1")).code());
            assertEquals("RegionAlreadyExists", assertThrows(EngineException.class,
                    () -> engine.regions().create("eu-local-1", null)).code());
        }
        Files.createDirectories(otherDisk); // mounted again, but empty: still not the region's root
        try (Engine engine = openWithoutKvm(dir.resolve("home"))) {
            assertEquals(1, engine.regions().list().size());
            try (var left = Files.list(otherDisk)) {
                assertEquals(0, left.count(), "the empty mount point is left alone");
            }
        }
    }

    @Test
    void aServiceThatCannotOpenOneRegionStillOpensTheOthers() {
        Regions regions = new Regions(dir.resolve("home"), new dev.nube.engine.store.EventBus());
        regions.create("broken-1", null);
        List<String> opened = new java.util.ArrayList<>();
        regions.register(new RegionScoped() {
            @Override
            public void regionOpened(Region region) {
                if (region.name().equals("broken-1")) {
                    throw new EngineException("StorageError", "disk full");
                }
                opened.add(region.name());
            }

            @Override
            public List<String> contentsOf(Region region) {
                return List.of();
            }
        });
        assertEquals(List.of("local-1"), opened);
        assertTrue(regions.problems().stream().anyMatch(p -> p.contains("broken-1") && p.contains("disk full")),
                regions.problems().toString());
    }

    @Test
    void theDefaultRegionAtItsDefaultPlaceClaimsItsMarkerAgain() throws Exception {
        Path home = dir.resolve("home");
        try (Engine engine = openWithoutKvm(home)) {
            engine.keyPairs().create("local-1", "k", KeyType.ED25519, 0);
        }
        Files.delete(home.resolve("regions/local-1/region.json"));
        try (Engine engine = openWithoutKvm(home)) {
            assertEquals(List.of("local-1"), engine.regions().list().stream().map(Region::name).toList());
            assertEquals(1, engine.keyPairs().list("local-1").items().size());
            assertTrue(Files.exists(home.resolve("regions/local-1/region.json")));
        }
    }

    @Test
    void anUnreadableDefaultRegionDocumentIsKeptAndReportedAndTheRegionStillOpens() throws Exception {
        Path home = dir.resolve("home");
        try (Engine engine = openWithoutKvm(home)) {
            engine.keyPairs().create("local-1", "k", KeyType.ED25519, 0);
        }
        Path document = home.resolve("config/regions/local-1.json");
        Files.writeString(document, "{\"name\": \"local-1\", torn");
        try (Engine engine = openWithoutKvm(home)) {
            assertEquals(List.of("local-1"), engine.regions().list().stream().map(Region::name).toList());
            assertEquals(home.resolve("regions/local-1"), engine.regions().get("local-1").root());
            assertEquals(1, engine.keyPairs().list("local-1").items().size());
            assertTrue(engine.regions().problems().stream().anyMatch(p -> p.contains("local-1.json")),
                    engine.regions().problems().toString());
        }
        assertEquals("{\"name\": \"local-1\", torn", Files.readString(document), "the document is left as it was");
    }

    @Test
    void oneEngineAtATimePerDataFolder() {
        try (Engine engine = openWithoutKvm(dir)) {
            EngineException e = assertThrows(EngineException.class, () -> openWithoutKvm(dir));
            assertEquals("DataFolderInUse", e.code());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        openWithoutKvm(dir).close();
    }

    @Test
    void defaultHomeFollowsNubeHomeThenXdg() {
        assertEquals(Path.of("/data/n"), Engine.defaultHome(java.util.Map.of("NUBE_HOME", "/data/n",
                "XDG_DATA_HOME", "/x")));
        assertEquals(Path.of("/x/nube"), Engine.defaultHome(java.util.Map.of("XDG_DATA_HOME", "/x")));
        assertEquals(Path.of(System.getProperty("user.home"), ".local/share/nube"),
                Engine.defaultHome(java.util.Map.of()));
    }
}
