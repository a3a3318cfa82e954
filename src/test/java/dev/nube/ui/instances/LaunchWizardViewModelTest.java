package dev.nube.ui.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageBuildProgress;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.InstanceType;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.UiEvents;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch wizard's view model over a real engine, without a toolkit (work and callbacks on the test's thread): the
 * checks that keep Launch from going and the request it hands the engine. Launching and building the tiny image are
 * answered by the test instead of the engine (they would boot a guest and build an image); everything else, the
 * security group a launch creates included, is the engine's.
 */
class LaunchWizardViewModelTest {
    private static final String REGION = "local-1";
    private static final String KEY_MISSING = "Choose a key pair, create one, or proceed without a key pair.";
    private static final String GROUP_MISSING = "Choose a security group, or create one that allows SSH.";
    /** A type the test says does not fit, whatever this machine is. */
    private static final String TOO_BIG = "t3.2xlarge";
    private static final String TOO_BIG_REASON = "t3.2xlarge needs 8 vCPUs; this machine has 2.";
    private static final Object NOT_ANSWERED = new Object();

    @TempDir
    Path dir;
    private Engine engine;
    private final StringProperty region = new SimpleStringProperty(REGION);
    private final List<RunRequest> submitted = new ArrayList<>();
    private final List<String> tinyImageBuilds = new ArrayList<>();
    /** What the region's image list holds, as the engine answers it; null: the engine's own list. */
    private List<Image> listedImages;
    /** How the engine answers RunInstances; by default it launches what was asked. */
    private Function<RunRequest, List<Instance>> launch = LaunchWizardViewModelTest::pending;
    private LaunchWizardViewModel model;

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home"));
        InstanceService instances = answering(InstanceService.class, engine.instances(), (method, args) ->
                switch (method) {
                    case "run" -> {
                        submitted.add((RunRequest) args[1]);
                        yield launch.apply((RunRequest) args[1]);
                    }
                    case "whyTypeDoesNotFit" -> ((InstanceType) args[0]).name().equals(TOO_BIG) ? TOO_BIG_REASON
                            : engine.instances().whyTypeDoesNotFit((InstanceType) args[0]);
                    default -> NOT_ANSWERED;
                });
        ImageService images = answering(ImageService.class, engine.images(), (method, args) -> {
            if (method.equals("list") && listedImages != null) {
                return new dev.nube.engine.store.Listing<>(listedImages, List.of());
            }
            if (!method.equals("ensureImage")) {
                return NOT_ANSWERED;
            }
            tinyImageBuilds.add((String) args[0]);
            engine.events().publish(new ImageBuildProgress((String) args[0], ImageService.TINY_IMAGE_NAME, 0.5,
                    "Unpacking", false, null, null));
            return image("ami-0000000000000000a", ImageService.TINY_IMAGE_NAME, 1);
        });
        ConsoleContext context = new ConsoleContext(new SameThreadTasks(), new UiEvents(engine.events(), Runnable::run),
                region, null);
        model = new LaunchWizardViewModel(instances, images, engine.securityGroups(), context);
    }

    @AfterEach
    void close() {
        model.dispose();
        engine.close();
    }

    /** What a fake answers for a method by name, or {@link #NOT_ANSWERED} to let the real service answer. */
    private interface Answers {
        Object answer(String method, Object[] args);
    }

    /** {@code real}, except for the calls {@code answers} takes over. */
    private static <T> T answering(Class<T> type, T real, Answers answers) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            Object answer = answers.answer(method.getName(), args);
            if (answer != NOT_ANSWERED) {
                return answer;
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return type.cast(proxy);
    }

    private static Image image(String id, String name, int rootDeviceGiB) {
        return new Image(id, name, "", "x86_64", rootDeviceGiB, 1 << 20, Instant.now(), "test", "6.1", "root",
                List.of(), null, null, Image.IMDS_V2, null, null);
    }

    /** The instances a launch of {@code request} starts, pending. */
    private static List<Instance> pending(RunRequest request) {
        return IntStream.range(0, request.count()).mapToObj(i -> new Instance("i-" + "0".repeat(16) + i,
                request.name(), InstanceState.PENDING, "", request.instanceType(), 1, 512, request.imageId(),
                request.keyPair(), null, request.securityGroups(), request.rootVolumeGiB(), request.userData() != null,
                Instant.now(), "", null, 0, 0, List.of(), "r-" + "0".repeat(17), request.httpTokens())).toList();
    }

    private InstanceType type(String name) {
        return model.types().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private List<String> problems() {
        return model.problems().get();
    }

    /** Launches, failing the test if the engine refuses; returns what reached the engine. */
    private RunRequest launch() {
        List<List<Instance>> launched = new ArrayList<>();
        model.launch(launched::add, failure -> {
            throw new AssertionError(failure);
        });
        assertEquals(1, launched.size(), "the wizard reported the launch");
        assertFalse(model.launchingProperty().get());
        return submitted.get(submitted.size() - 1);
    }

    @Test
    void itOpensOnTheRegionsDefaultsAndSaysWhatIsMissing() {
        assertEquals(ImageService.BUILT_IMAGES, model.imageChoices().stream()
                .map(LaunchWizardViewModel.ImageChoice::buildName).toList(),
                "a fresh region has no image: Nube's own are offered, the tiny one first");
        assertNull(model.imageChoices().get(0).image(), "built on first launch");
        assertTrue(model.imageChoices().get(0).label().startsWith(ImageService.TINY_IMAGE_NAME));
        assertTrue(model.imageChoices().get(1).details().contains("Default user: admin"),
                model.imageChoices().get(1).details());
        assertSame(model.imageChoices().get(0), model.image.get());
        assertEquals("t3.micro", model.type.get().name());
        assertEquals(List.of(KEY_MISSING, GROUP_MISSING), problems());
        assertEquals(TOO_BIG_REASON, model.whyNotFits(type(TOO_BIG)));
        assertEquals(1, model.rootVolumeGiB.get());
        assertEquals(1, model.count.get());
    }

    @Test
    void everyInputIsCheckedAsItChanges() {
        model.withoutKeyPair.set(true);
        assertEquals(List.of(GROUP_MISSING), problems());
        model.newGroup.set(true);
        assertEquals(List.of(), problems(), "a key pair or none, a group or a new one: Launch may go");

        model.name.set("n".repeat(256));
        assertEquals(List.of("The name has at most 255 characters."), problems());
        model.name.set("n".repeat(255));
        assertEquals(List.of(), problems());

        model.type.set(type(TOO_BIG));
        assertEquals(List.of(TOO_BIG_REASON), problems(), "the engine's reason, as it gave it");
        model.type.set(null);
        assertEquals(List.of("Choose an instance type."), problems());
        model.type.set(type("t3.nano"));

        LaunchWizardViewModel.ImageChoice tiny = model.image.get();
        model.image.set(null);
        assertEquals(List.of("Choose an image."), problems());
        model.image.set(tiny);

        for (int volume : new int[] {0, RunRequest.MAX_ROOT_VOLUME_GIB + 1}) {
            model.rootVolumeGiB.set(volume);
            assertEquals(List.of("The root volume is 1 to 1024 GiB."), problems(), volume + " GiB");
        }
        model.rootVolumeGiB.set(RunRequest.MAX_ROOT_VOLUME_GIB);
        assertEquals(List.of(), problems());

        for (int count : new int[] {0, RunRequest.MAX_COUNT + 1}) {
            model.count.set(count);
            assertEquals(List.of("Launch 1 to 20 instances at a time."), problems(), count + " instances");
        }
        model.count.set(RunRequest.MAX_COUNT);
        assertEquals(List.of(), problems());

        model.userData.set("\u00e9".repeat(RunRequest.MAX_USER_DATA_BYTES / 2 + 1));
        assertEquals(List.of("User data is 16386 bytes; at most 16384 bytes are allowed."), problems(),
                "counted in UTF-8 bytes, as EC2 counts them");
        model.userData.set("\u00e9".repeat(RunRequest.MAX_USER_DATA_BYTES / 2));
        assertEquals(List.of(), problems());

        model.withoutKeyPair.set(false);
        model.launch(launched -> {
            throw new AssertionError("launched with a problem");
        }, failure -> {
            throw new AssertionError(failure);
        });
        assertEquals(List.of(), submitted, "nothing reaches the engine while a problem stands");
        assertFalse(model.launchingProperty().get());
    }

    @Test
    void anImageStillBeingMadeIsNotOffered() {
        Image tiny = image("ami-0000000000000000a", ImageService.TINY_IMAGE_NAME, 1);
        Image pending = new Image("ami-0000000000000000c", "backup", "", "x86_64", 1, 0, Instant.now(), "test",
                "6.1", "root", List.of(), dev.nube.engine.compute.images.ImageState.PENDING,
                "snap-0000000000000000c", null, null, null);
        listedImages = List.of(tiny, pending);
        engine.regions().create("eu-local-1", null);
        region.set("eu-local-1"); // a region change reads the region's images again
        region.set(REGION);
        assertEquals(List.of(tiny.id()), model.imageChoices().stream().filter(c -> c.image() != null)
                .map(c -> c.image().id()).toList(), "the pending image is left out");
        assertEquals(List.of(ImageService.DEBIAN_IMAGE_NAME), model.imageChoices().stream()
                .filter(c -> c.image() == null).map(LaunchWizardViewModel.ImageChoice::buildName).toList(),
                "the Debian image is offered to be built on first launch");
        listedImages = List.of(tiny, pending.withState(dev.nube.engine.compute.images.ImageState.AVAILABLE, 1));
        region.set("eu-local-1");
        region.set(REGION);
        assertEquals(List.of(tiny.id(), pending.id()), model.imageChoices().stream().filter(c -> c.image() != null)
                .map(c -> c.image().id()).toList(), "offered once available");
    }

    @Test
    void anImageWithABiggerDiskRaisesTheRootVolumeToItsSize() {
        LaunchWizardViewModel.ImageChoice big = new LaunchWizardViewModel.ImageChoice(
                image("ami-0000000000000000b", "big", 8), null, "big (ami-0000000000000000b)", "", 8, null);
        model.imageChoices().add(big);
        model.image.set(big);
        assertEquals(8, model.rootVolumeGiB.get());
        model.withoutKeyPair.set(true);
        model.newGroup.set(true);
        model.rootVolumeGiB.set(7);
        assertEquals(List.of("The root volume is 8 to 1024 GiB."), problems());
    }

    @Test
    void launchSubmitsWhatTheFormSays() {
        KeyPair key = engine.keyPairs().create(REGION, "deploy", KeyType.ED25519, 0).keyPair();
        SecurityGroup group = engine.securityGroups().create(REGION, "web", "web servers");
        LaunchWizardViewModel.ImageChoice existing = new LaunchWizardViewModel.ImageChoice(
                image("ami-0000000000000000c", "mine", 2), null, "mine (ami-0000000000000000c)", "", 2, null);
        model.imageChoices().add(existing);
        model.image.set(existing);
        model.name.set("  web-1  ");
        model.type.set(type("t3.nano"));
        model.keyPair.set(key);
        model.existingGroup.set(group);
        model.rootVolumeGiB.set(3);
        model.count.set(2);
        model.userData.set("#!/bin/sh\necho hi\n");

        RunRequest request = launch();
        assertEquals("ami-0000000000000000c", request.imageId());
        assertEquals("t3.nano", request.instanceType());
        assertEquals(key.id(), request.keyPair());
        assertEquals(List.of(group.id()), request.securityGroups());
        assertEquals(2, request.count());
        assertEquals("web-1", request.name(), "the name without the spaces around it");
        assertEquals("#!/bin/sh\necho hi\n", new String(request.userData(), StandardCharsets.UTF_8));
        assertEquals(3, request.rootVolumeGiB());
        assertEquals(List.of(), tinyImageBuilds, "an image that exists is not built");
        assertEquals("Launched 2 instances.", model.statusProperty().get());
    }

    @Test
    void launchBuildsTheTinyImageAndCreatesAnSshGroupWhenAsked() {
        engine.securityGroups().create(REGION, "launch-wizard-1", "taken");
        KeyPair key = engine.keyPairs().create(REGION, "deploy", KeyType.ED25519, 0).keyPair();
        model.keyPair.set(key);
        model.withoutKeyPair.set(true); // wins over the chosen key
        model.newGroup.set(true);
        List<String> statusDuringBuild = new ArrayList<>();
        launch = request -> {
            statusDuringBuild.add(model.statusProperty().get());
            return pending(request);
        };

        RunRequest request = launch();
        assertEquals(List.of(REGION), tinyImageBuilds);
        assertEquals(List.of("Building " + ImageService.TINY_IMAGE_NAME + ": Unpacking"), statusDuringBuild,
                "the build's progress was shown while it ran");
        assertEquals("ami-0000000000000000a", request.imageId());
        assertNull(request.keyPair(), "without a key pair");
        assertNull(request.name(), "no name");
        assertNull(request.userData(), "no user data");
        assertEquals(1, request.rootVolumeGiB());
        SecurityGroup created = engine.securityGroups().get(REGION, "launch-wizard-2");
        assertEquals(List.of(created.id()), request.securityGroups(), "the next free launch-wizard-N name");
        assertEquals(List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "0.0.0.0/0", "SSH from anywhere")),
                created.inbound());
        assertEquals("Launched 1 instance.", model.statusProperty().get());
    }

    @Test
    void aRefusedLaunchSaysWhyAndLeavesTheFormAsItWas() {
        model.withoutKeyPair.set(true);
        model.newGroup.set(true);
        model.name.set("web");
        launch = request -> {
            throw new EngineException("InsufficientInstanceCapacity", "Not enough memory for t3.micro.");
        };
        List<Throwable> failures = new ArrayList<>();
        model.launch(launched -> {
            throw new AssertionError("launched");
        }, failures::add);
        assertEquals(1, failures.size());
        assertEquals("InsufficientInstanceCapacity", ((EngineException) failures.get(0)).code());
        assertFalse(model.launchingProperty().get(), "the wizard stays usable");
        assertTrue(model.statusProperty().get().contains("Not enough memory for t3.micro."),
                model.statusProperty().get());
        assertEquals("web", model.name.get());
        assertEquals(List.of(), problems());

        launch = LaunchWizardViewModelTest::pending;
        assertEquals("web", launch().name(), "and Launch may be pressed again");
    }

    @Test
    void anotherRegionReplacesTheChoicesOfTheOldOne() {
        engine.regions().create("local-2", dir.resolve("local-2"));
        KeyPair key = engine.keyPairs().create(REGION, "deploy", KeyType.ED25519, 0).keyPair();
        model.keyPair.set(key);
        model.existingGroup.set(engine.securityGroups().get(REGION, SecurityGroup.DEFAULT_NAME));
        assertEquals(List.of(), problems());

        region.set("local-2");
        assertEquals("local-2", model.region());
        assertNull(model.keyPair.get(), "a key pair of local-1 cannot launch in local-2");
        assertNull(model.existingGroup.get());
        assertEquals(ImageService.BUILT_IMAGES.size(), model.imageChoices().size());
        assertSame(model.imageChoices().get(0), model.image.get());
        assertEquals(List.of(KEY_MISSING, GROUP_MISSING), problems());
    }
}
