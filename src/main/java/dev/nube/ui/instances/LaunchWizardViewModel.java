package dev.nube.ui.instances;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageBuildProgress;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceType;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.engine.compute.network.SecurityGroupService;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.TaskExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The launch wizard's state, as the EC2 console's one page: name, image, type, key pair (or none, with a warning),
 * security group (existing, or a new one allowing SSH), root volume, count and user data; the problems that block
 * Launch, computed as anything changes; and the launch itself, which builds the tiny image first when the region
 * has none (its progress shown) and can be cancelled. FX thread only.
 */
public final class LaunchWizardViewModel {
    /** An image to launch from; {@code image} is null for the built-in image not built yet in this region. */
    /**
     * An image to launch: a registered one ({@code image}), or one Nube builds on first launch ({@code buildName},
     * {@code image} null). {@code details} is what the Quick Start says of it: description, default user, the boot
     * time measured here; {@code cannotBuild} why this machine cannot build it (null when it can, or it is built).
     */
    public record ImageChoice(Image image, String buildName, String label, String details, int minimumGiB,
                              String cannotBuild) {
        @Override
        public String toString() {
            return label;
        }
    }

    private final InstanceService instances;
    private final ImageService images;
    private final SecurityGroupService groups;
    private final ConsoleContext context;

    private final ObservableList<ImageChoice> imageChoices = FXCollections.observableArrayList();
    private final ObservableList<InstanceType> types = FXCollections.observableArrayList();
    final StringProperty name = new SimpleStringProperty("");
    final ObjectProperty<ImageChoice> image = new SimpleObjectProperty<>();
    final ObjectProperty<InstanceType> type = new SimpleObjectProperty<>();
    final ObjectProperty<KeyPair> keyPair = new SimpleObjectProperty<>();
    final BooleanProperty withoutKeyPair = new SimpleBooleanProperty();
    final BooleanProperty newGroup = new SimpleBooleanProperty();
    final ObjectProperty<SecurityGroup> existingGroup = new SimpleObjectProperty<>();
    final IntegerProperty rootVolumeGiB = new SimpleIntegerProperty(1);
    final IntegerProperty count = new SimpleIntegerProperty(1);
    final StringProperty userData = new SimpleStringProperty("");
    /**
     * EC2's HttpTokens "required" (IMDSv2 only) when true; follows the image chosen (its guest uses tokens, or not)
     * until changed by hand.
     */
    final BooleanProperty tokensRequired = new SimpleBooleanProperty(true);
    private final ReadOnlyBooleanWrapper launching = new ReadOnlyBooleanWrapper();
    private final DoubleProperty progress = new SimpleDoubleProperty(-1);
    private final StringProperty status = new SimpleStringProperty("");
    private final ObjectBinding<List<String>> problems;
    private final List<String> typeProblems = new ArrayList<>();
    private TaskExecutor.Cancellable running;
    private final AutoCloseable progressSubscription;
    private final javafx.beans.value.ChangeListener<String> regionListener = (obs, old, region) -> regionChanged();

    public LaunchWizardViewModel(InstanceService instances, ImageService images, SecurityGroupService groups,
                                 ConsoleContext context) {
        this.instances = instances;
        this.images = images;
        this.groups = groups;
        this.context = context;
        Observable[] inputs = {name, image, type, keyPair, withoutKeyPair, newGroup, existingGroup, rootVolumeGiB,
            count, userData};
        problems = Bindings.createObjectBinding(this::computeProblems, inputs);
        image.addListener((obs, old, choice) -> {
            // Nube's own image, to be built at launch, asks for tokens; an older image may not.
            tokensRequired.set(choice == null || choice.image() == null
                    || Image.IMDS_V2.equals(choice.image().imdsSupport()));
            int minimum = minimumVolumeGiB();
            if (rootVolumeGiB.get() < minimum) {
                rootVolumeGiB.set(minimum);
            }
        });
        progressSubscription = context.events().on(ImageBuildProgress.class, update -> {
            if (launching.get() && update.region().equals(context.region().get())) {
                progress.set(update.fraction());
                status.set("Building " + update.imageName() + ": " + update.step());
            }
        });
        context.region().addListener(regionListener);
        load();
    }

    /**
     * The images to choose from, as the EC2 console's Quick Start: Nube's own first (built on first launch when the
     * region has none yet), then the region's other images. An image still being made is offered once available.
     */
    private List<ImageChoice> quickStart(String region) {
        List<Image> list = images.list(region).items();
        List<ImageChoice> choices = new ArrayList<>();
        for (String name : ImageService.BUILT_IMAGES) {
            Image built = list.stream().filter(i -> i.name().equals(name) && i.available()).findFirst().orElse(null);
            if (built != null) {
                choices.add(choiceOf(region, built));
            } else if (list.stream().noneMatch(i -> i.name().equals(name))) {
                String why = images.whyCannotBuild(name);
                choices.add(new ImageChoice(null, name, name + (why == null ? " (built on first launch)"
                        : " (cannot be built here)"), builtImageText(name),
                        name.equals(ImageService.DEBIAN_IMAGE_NAME)
                        ? (int) (dev.nube.engine.compute.images.debian.DebianImageBuilder.DISK_BYTES >> 30) : 1, why));
            }
        }
        list.stream().filter(Image::available).filter(i -> !ImageService.BUILT_IMAGES.contains(i.name()))
                .forEach(i -> choices.add(choiceOf(region, i)));
        return choices;
    }

    private ImageChoice choiceOf(String region, Image i) {
        String description = i.description().strip();
        String boot = images.bootTime(region, i.id()).map(t -> String.format(java.util.Locale.ROOT,
                " Boots to SSH in %.0f s here (%s, last launch).", t.millis() / 1000.0, t.accelerator()))
                .orElse(" Boot time: not measured here yet.");
        return new ImageChoice(i, null, i.name() + " (" + i.id() + ")", description
                + (description.isEmpty() || description.endsWith(".") ? " " : ". ") + "Architecture "
                + i.architecture() + ", " + (i.bootsFromDisk() ? "boots from its own disk by " + i.bootMode()
                .toUpperCase(java.util.Locale.ROOT) : "kernel " + i.kernelRelease()) + ", default user: " + i.sshUser()
                + "." + boot, i.rootDeviceGiB(), null);
    }

    private static String builtImageText(String name) {
        return name.equals(ImageService.DEBIAN_IMAGE_NAME)
                ? "Debian 12 with systemd, OpenSSH, sudo, apt and cloud-init (user data as #! scripts or"
                + " #cloud-config), built on this machine from Debian's archive the first time you launch it (a few"
                + " minutes), then kept. Default user: admin."
                : "A small Linux (Debian's kernel, busybox and dropbear), built on this machine from Debian packages"
                + " the first time you launch it, then kept. Default user: root.";
    }

    /** Another region was chosen in the header: its images, keys and groups replace the old region's choices. */
    private void regionChanged() {
        keyPair.set(null);
        existingGroup.set(null);
        image.set(null);
        imageChoices.clear();
        load();
    }

    private void load() {
        String region = context.region().get();
        context.tasks().submit(() -> quickStart(region), choices -> {
            if (!region.equals(context.region().get())) {
                return;
            }
            imageChoices.setAll(choices);
            if (image.get() == null && !imageChoices.isEmpty()) {
                image.set(imageChoices.get(0));
            }
        }, failure -> status.set(Errors.message(failure)));
        context.tasks().submit(() -> {
            List<InstanceType> all = instances.instanceTypes();
            List<String> reasons = new ArrayList<>();
            all.forEach(t -> reasons.add(instances.whyTypeDoesNotFit(t)));
            return new Object[] {all, reasons};
        }, result -> {
            @SuppressWarnings("unchecked")
            List<InstanceType> all = (List<InstanceType>) result[0];
            @SuppressWarnings("unchecked")
            List<String> reasons = (List<String>) result[1];
            typeProblems.clear();
            typeProblems.addAll(reasons);
            types.setAll(all);
            if (type.get() == null) {
                all.stream().filter(t -> t.name().equals("t3.micro")).findFirst().or(() -> all.stream().findFirst())
                        .ifPresent(type::set);
            }
        }, failure -> status.set(Errors.message(failure)));
    }

    /** Why a type cannot run here, or null when it can. */
    String whyNotFits(InstanceType candidate) {
        int index = types.indexOf(candidate);
        return index < 0 || index >= typeProblems.size() ? null : typeProblems.get(index);
    }

    int minimumVolumeGiB() {
        ImageChoice choice = image.get();
        return choice == null ? 1 : Math.max(1, choice.minimumGiB());
    }

    private List<String> computeProblems() {
        List<String> found = new ArrayList<>();
        if (name.get().length() > 255) {
            found.add("The name has at most 255 characters.");
        }
        if (image.get() == null) {
            found.add("Choose an image.");
        } else if (image.get().cannotBuild() != null) {
            found.add(image.get().cannotBuild());
        }
        if (type.get() == null) {
            found.add("Choose an instance type.");
        } else if (whyNotFits(type.get()) != null) {
            found.add(whyNotFits(type.get()));
        }
        if (keyPair.get() == null && !withoutKeyPair.get()) {
            found.add("Choose a key pair, create one, or proceed without a key pair.");
        }
        if (!newGroup.get() && existingGroup.get() == null) {
            found.add("Choose a security group, or create one that allows SSH.");
        }
        if (rootVolumeGiB.get() < minimumVolumeGiB() || rootVolumeGiB.get() > RunRequest.MAX_ROOT_VOLUME_GIB) {
            found.add("The root volume is " + minimumVolumeGiB() + " to " + RunRequest.MAX_ROOT_VOLUME_GIB + " GiB.");
        }
        if (count.get() < 1 || count.get() > RunRequest.MAX_COUNT) {
            found.add("Launch 1 to " + RunRequest.MAX_COUNT + " instances at a time.");
        }
        int userDataBytes = userDataBytes();
        if (userDataBytes > RunRequest.MAX_USER_DATA_BYTES) {
            found.add("User data is " + userDataBytes + " bytes; at most " + RunRequest.MAX_USER_DATA_BYTES
                    + " bytes are allowed.");
        }
        return found;
    }

    int userDataBytes() {
        return userData.get().getBytes(StandardCharsets.UTF_8).length;
    }

    /** What stops the launch, in words; empty when Launch may go. */
    public ObjectBinding<List<String>> problems() {
        return problems;
    }

    /** Launches; {@code onLaunched} gets the new instances. The wizard stays usable after a failure. */
    public void launch(Consumer<List<Instance>> onLaunched, Consumer<Throwable> onFailure) {
        if (launching.get() || !problems.get().isEmpty()) {
            return;
        }
        String region = context.region().get();
        ImageChoice choice = image.get();
        InstanceType chosenType = type.get();
        String key = withoutKeyPair.get() || keyPair.get() == null ? null : keyPair.get().id();
        boolean createGroup = newGroup.get();
        String group = createGroup ? null : existingGroup.get().id();
        String instanceName = name.get().isBlank() ? null : name.get().strip();
        byte[] data = userData.get().isEmpty() ? null : userData.get().getBytes(StandardCharsets.UTF_8);
        int volume = rootVolumeGiB.get();
        int instanceCount = count.get();
        String tokens = tokensRequired.get() ? "required" : "optional";
        launching.set(true);
        progress.set(-1);
        status.set("Launching...");
        running = context.tasks().submit(() -> {
            String imageId = choice.image() != null ? choice.image().id()
                    : images.ensureImage(region, choice.buildName()).id();
            String groupId = createGroup ? createSshGroup(region) : group;
            return instances.run(region, new RunRequest(imageId, chosenType.name(), key, List.of(groupId),
                    instanceCount, instanceName, data, volume, tokens));
        }, launched -> {
            launching.set(false);
            status.set("Launched " + launched.size() + (launched.size() == 1 ? " instance." : " instances."));
            onLaunched.accept(launched);
        }, failure -> {
            launching.set(false);
            progress.set(-1);
            status.set(Errors.message(failure));
            onFailure.accept(failure);
        });
    }

    /** A new group in EC2's style ("launch-wizard-N") allowing SSH from anywhere. */
    private String createSshGroup(String region) {
        List<String> taken = groups.list(region).items().stream().map(SecurityGroup::name).toList();
        int n = 1;
        while (taken.contains("launch-wizard-" + n)) {
            n++;
        }
        SecurityGroup created = groups.create(region, "launch-wizard-" + n, "created by the launch wizard");
        groups.setRules(region, created.id(), SecurityGroup.Direction.INBOUND, List.of(
                SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "0.0.0.0/0", "SSH from anywhere")));
        return created.id();
    }

    /** Stops a launch under way (an image build is cancelled; instances already started stay). */
    public void cancel() {
        if (running != null && launching.get()) {
            running.cancel();
            launching.set(false);
            progress.set(-1);
            status.set("Cancelled.");
        }
    }

    /** The wizard closed: cancel what runs and stop listening to the engine. */
    public void dispose() {
        cancel();
        context.region().removeListener(regionListener);
        try {
            progressSubscription.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The region the instances will be launched in (the one selected in the header). */
    public String region() {
        return context.region().get();
    }

    public ObservableList<ImageChoice> imageChoices() {
        return imageChoices;
    }

    public ObservableList<InstanceType> types() {
        return types;
    }

    public ReadOnlyBooleanProperty launchingProperty() {
        return launching.getReadOnlyProperty();
    }

    /** The image build's progress (0..1), or -1 when there is no build to measure. */
    public DoubleProperty progressProperty() {
        return progress;
    }

    public StringProperty statusProperty() {
        return status;
    }
}
