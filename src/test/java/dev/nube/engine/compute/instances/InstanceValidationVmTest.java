package dev.nube.engine.compute.instances;

import static dev.nube.engine.compute.instances.VmTestSupport.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageBuildProgress;
import dev.nube.engine.compute.images.ImagePackage;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.network.SecurityGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad launch requests get clear errors and change nothing; images are listed, described and deregistered. */
class InstanceValidationVmTest extends VmTestBase {
    private void refused(String code, String messagePart, RunRequest request) throws Exception {
        List<Instance> before = vm.instances().list(REGION).items();
        Path folder = home.resolve("regions/local-1/instances");
        long filesBefore = Files.exists(folder) ? Files.list(folder).count() : 0;
        EngineException e = assertThrows(EngineException.class, () -> vm.instances().run(REGION, request));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertEquals(before, vm.instances().list(REGION).items(), "nothing was created");
        assertEquals(filesBefore, Files.exists(folder) ? Files.list(folder).count() : 0, "no files were left");
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() throws Exception {
        String image = vm.image.id();
        String key = vm.keyPair.id();
        refused("InvalidAMIID.NotFound", "ami-0123456789abcdef0",
                RunRequest.of("ami-0123456789abcdef0", "t3.nano", key));
        refused("InvalidAMIID.Malformed", "not-an-image", RunRequest.of("not-an-image", "t3.nano", key));
        InstanceType tooBig = vm.instances().instanceTypes().stream()
                .filter(t -> vm.instances().whyTypeDoesNotFit(t) != null).findFirst().orElseThrow();
        refused("InvalidParameterValue", "this machine has", RunRequest.of(image, tooBig.name(), key));
        refused("InvalidParameterValue", "no instance type 'z9.huge'", RunRequest.of(image, "z9.huge", key));
        refused("InvalidKeyPair.NotFound", "missing-key", RunRequest.of(image, "t3.nano", "missing-key"));
        refused("InvalidGroup.NotFound", "no-such-group",
                RunRequest.of(image, "t3.nano", key).withSecurityGroups(List.of("no-such-group")));
        refused("InvalidParameterValue", "16 KB",
                RunRequest.of(image, "t3.nano", key).withUserData(new byte[16 * 1024 + 1]));
        refused("InvalidParameterValue", "between 1 and", RunRequest.of(image, "t3.nano", key).withCount(0));
        refused("InvalidParameterValue", "root volume", RunRequest.of(image, "t3.nano", key).withRootVolumeGiB(5000));
        EngineException missing = assertThrows(EngineException.class,
                () -> vm.instances().stop(REGION, "i-0123456789abcdef0"));
        assertEquals("InvalidInstanceID.NotFound", missing.code());
    }

    @Test
    void startChecksTheMachinesMemoryAsLaunchDoes() throws Exception {
        Instances instances = (Instances) vm.instances();
        InstanceTypes real = instances.capacity.types;
        instances.capacity.types = new InstanceTypes(real.hostCpus(), 1024); // room for two t3.nano (512 MiB each)
        try {
            Instance a = vm.launch();
            vm.instances().stop(REGION, a.id());
            String b = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())).get(0).id();
            EngineException twoMore = assertThrows(EngineException.class, () -> vm.instances().run(REGION,
                    RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id()).withCount(2)));
            assertEquals("InsufficientInstanceCapacity", twoMore.code(), twoMore.getMessage());
            String c = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())).get(0).id();
            EngineException full = assertThrows(EngineException.class, () -> vm.instances().start(REGION, a.id()));
            assertEquals("InsufficientInstanceCapacity", full.code(), full.getMessage());
            assertEquals(InstanceState.STOPPED, vm.instances().get(REGION, a.id()).state(),
                    "the refusal changed nothing");
            vm.instances().terminate(REGION, b);
            vm.instances().terminate(REGION, c);
            vm.instances().terminate(REGION, a.id());
        } finally {
            instances.capacity.types = real;
        }
    }

    @Test
    void aLaunchThatFailsBeforeItsDocumentIsWrittenLeavesNoFolder() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("XDG_RUNTIME_DIR") == null,
                "the sockets would go to XDG_RUNTIME_DIR");
        Path instancesFolder = home.resolve("regions/local-1/instances");
        InstanceFiles probe = InstanceFiles.of(instancesFolder.resolve("i-0123456789abcdef0"));
        org.junit.jupiter.api.Assumptions.assumeTrue(!probe.socketFolder().equals(probe.folder()),
                "the data folder is short enough for sockets in the instance folder");
        // A runtime folder open to other users makes the launch fail after the instance's folder was made.
        String user = System.getProperty("user.name");
        String fakeUser = "nube-test-" + ProcessHandle.current().pid();
        Path runtime = InstanceFiles.runtimeFolder(java.util.Map.of(), fakeUser);
        Files.createDirectories(runtime);
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        System.setProperty("user.name", fakeUser);
        try {
            refused("InstanceLaunchFailed", "open to other users",
                    RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id()).withUserData(new byte[] {'x'}));
            assertTrue(vm.instances().list(REGION).problems().isEmpty(), () -> "no folder without a document: "
                    + vm.instances().list(REGION).problems());
        } finally {
            System.setProperty("user.name", user);
            Files.delete(runtime);
        }
    }

    @Test
    void instanceTypesAreATableValidatedAgainstTheHost() {
        List<InstanceType> types = vm.instances().instanceTypes();
        assertEquals("t3.nano", types.get(0).name());
        assertEquals(new InstanceType("t3.large", 2, 8192), types.stream().filter(t -> t.name().equals("t3.large"))
                .findFirst().orElseThrow());
        assertEquals(null, vm.instances().whyTypeDoesNotFit(types.get(0)));
        String why = vm.instances().whyTypeDoesNotFit(new InstanceType("huge", 4096, 512));
        assertTrue(why.contains("4096 vCPUs"), why);
    }

    @Test
    void theTinyImageIsListedWithItsManifest() {
        Image image = vm.engine.images().get(REGION, vm.image.id());
        assertEquals(ImageService.TINY_IMAGE_NAME, image.name());
        assertEquals("x86_64", image.architecture());
        assertTrue(image.sizeBytes() > 1_000_000);
        assertTrue(image.source().contains("Debian"));
        List<String> names = image.manifest().stream().map(ImagePackage::name).toList();
        assertTrue(names.contains("busybox-static") && names.contains("dropbear-bin"), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("linux-image-6.")), names.toString());
        assertTrue(image.manifest().stream().allMatch(p -> p.version() != null && p.sha256().length() == 64));
        assertEquals(List.of(image), vm.engine.images().list(REGION).items());
        assertEquals(image, vm.engine.images().ensureTinyImage(REGION), "built once per region");
    }

    @Test
    void imagesAndGroupsInUseCannotBeDeleted() throws Exception {
        SecurityGroup web = vm.engine.securityGroups().create(REGION, "web", "test");
        Instance instance = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", null)
                .withSecurityGroups(List.of("web"))).get(0);
        assertEquals(List.of(web.id()), instance.securityGroupIds());
        EngineException e = assertThrows(EngineException.class,
                () -> vm.engine.images().deregister(REGION, vm.image.id()));
        assertEquals("InvalidAMIID.InUse", e.code());
        assertTrue(e.getMessage().contains(instance.id()), e.getMessage());
        EngineException group = assertThrows(EngineException.class,
                () -> vm.engine.securityGroups().delete(REGION, web.id()));
        assertEquals("DependencyViolation", group.code());
        assertTrue(group.getMessage().contains(instance.id()), group.getMessage());
        vm.instances().terminate(REGION, instance.id());
        vm.engine.securityGroups().delete(REGION, web.id());
    }

    @Test
    void anUnusedImageIsDeregisteredWithItsFiles() {
        vm.engine.regions().create("local-2", null);
        List<ImageBuildProgress> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        AutoCloseable listening = vm.engine.events().subscribe(e -> {
            if (e instanceof ImageBuildProgress p) {
                progress.add(p);
            }
        });
        Image other = vm.engine.images().ensureTinyImage("local-2");
        ImageBuildProgress last = progress.get(progress.size() - 1);
        assertTrue(last.finished() && other.id().equals(last.imageId()) && last.fraction() == 1, last.toString());
        assertTrue(progress.size() > 2, "progress was shown along the way: " + progress);
        Path folder = vm.engine.regions().get("local-2").root().resolve("images").resolve(other.id());
        assertTrue(Files.exists(folder.resolve("disk.qcow2")));
        vm.engine.images().deregister("local-2", other.id());
        assertTrue(vm.engine.images().list("local-2").items().isEmpty());
        assertTrue(!Files.exists(folder));
        vm.engine.regions().remove("local-2");
        try {
            listening.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
