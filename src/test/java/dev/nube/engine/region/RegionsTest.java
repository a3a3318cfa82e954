package dev.nube.engine.region;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.KeyType;
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
        try (Engine engine = Engine.open(dir.resolve("home"))) {
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
        try (Engine engine = Engine.open(dir.resolve("home"))) {
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
        try (Engine engine = Engine.open(dir.resolve("home"))) {
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
        try (Engine engine = Engine.open(dir.resolve("home"))) {
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
    void oneEngineAtATimePerDataFolder() {
        try (Engine engine = Engine.open(dir)) {
            EngineException e = assertThrows(EngineException.class, () -> Engine.open(dir));
            assertEquals("DataFolderInUse", e.code());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        Engine.open(dir).close();
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
