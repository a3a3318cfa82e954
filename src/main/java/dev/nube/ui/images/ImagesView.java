package dev.nube.ui.images;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImagePackage;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The images page (AMIs): the list, the selected image's details and package manifest, build, import, copy, replicas
 * and deregister.
 */
public final class ImagesView extends StackPane {
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());

    private final ImagesViewModel model;
    private final TableView<Image> table = new TableView<>();
    private final Tables.SelectionById<Image> selection;
    private final Label notice = new Label();

    /** "Build image": one item per image Nube builds, each disabled once the region has that image. */
    private MenuButton buildMenu() {
        MenuButton build = new MenuButton("Build image", new FontIcon(Feather.PACKAGE));
        build.setId("build-image");
        for (String name : ImageService.BUILT_IMAGES) {
            MenuItem item = new MenuItem(name);
            item.setId(name.equals(ImageService.TINY_IMAGE_NAME) ? "build-tiny-image" : "build-debian-image");
            item.disableProperty().bind(Bindings.createBooleanBinding(() -> model.hasImage(name),
                    model.list().items()));
            item.setOnAction(e -> model.build(name));
            build.getItems().add(item);
        }
        build.disableProperty().bind(model.buildingProperty());
        return build;
    }

    public ImagesView(ImagesViewModel model) {
        this.model = model;
        table.setId("images-table");
        table.setItems(model.list().filtered());
        Label empty = new Label("No images in this region yet. Nube's own (\"" + ImageService.TINY_IMAGE_NAME
                + "\", \"" + ImageService.DEBIAN_IMAGE_NAME + "\") are each built from Debian's packages the first"
                + " time one is launched, or now with \"Build image\".");
        empty.setWrapText(true);
        table.setPlaceholder(empty);
        table.getColumns().add(Tables.column("Name", 200, Image::name));
        table.getColumns().add(Tables.keepWhole(Tables.column("AMI ID", 200, Image::id), "ami-00000000000000000"));
        table.getColumns().add(Tables.keepWhole(Tables.column("State", 90, i -> i.state().awsName()), "available"));
        table.getColumns().add(Tables.column("Architecture", 100, Image::architecture));
        table.getColumns().add(Tables.keepWhole(Tables.column("Size", 90, i -> String.format("%.1f MiB",
                i.sizeBytes() / 1048576.0)), "000.0 MiB"));
        table.getColumns().add(Tables.column("Root device", 100, i -> i.rootDeviceGiB() + " GiB"));
        table.getColumns().add(Tables.keepWhole(Tables.column("Created", 140, i -> CREATED.format(i.createdAt())),
                "0000-00-00 00:00"));
        table.getColumns().add(Tables.column("Source", 200, Image::source));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        selection = Tables.keepSelectionById(table, Image::id);

        MenuButton build = buildMenu();
        Button deregister = new Button("Deregister", new FontIcon(Feather.TRASH_2));
        deregister.setId("deregister-image");
        enableFor(deregister, ImageAction.DEREGISTER);
        deregister.setOnAction(e -> deregister(selected()));
        Button copy = new Button("Copy to region", new FontIcon(Feather.COPY));
        copy.setId("copy-image");
        enableFor(copy, ImageAction.COPY);
        copy.setOnAction(e -> copy(selected()));
        Button replicas = new Button("Launch replicas", new FontIcon(Feather.GLOBE));
        replicas.setId("launch-replicas");
        enableFor(replicas, ImageAction.LAUNCH_REPLICAS);
        replicas.setOnAction(e -> launchReplicas(selected()));
        Button importImage = new Button("Import image", new FontIcon(Feather.UPLOAD));
        importImage.setId("import-image");
        importImage.setOnAction(e -> importImage());
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());

        ResourcePage page = new ResourcePage("Images", model.list(), table, refresh, deregister, copy, replicas,
                importImage, build);
        ProgressBar progress = new ProgressBar();
        progress.progressProperty().bind(model.progressProperty());
        progress.visibleProperty().bind(model.buildingProperty());
        progress.setPrefWidth(260);
        Label status = new Label();
        status.setId("image-build-status");
        status.textProperty().bind(model.statusProperty());
        HBox buildRow = new HBox(10, progress, status);
        buildRow.visibleProperty().bind(model.statusProperty().isNotEmpty());
        buildRow.managedProperty().bind(buildRow.visibleProperty());
        page.getChildren().add(2, buildRow);
        notice.setId("images-notice");
        notice.setWrapText(true);
        notice.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // whole, however many lines it takes
        notice.getStyleClass().add("text-muted");
        notice.visibleProperty().bind(notice.textProperty().isNotEmpty());
        notice.managedProperty().bind(notice.visibleProperty());
        page.getChildren().add(3, notice);

        SplitPane split = new SplitPane(page, details());
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.5);
        getChildren().add(split);
    }

    private Node details() {
        Label title = new Label("Select an image to see its details and package manifest.");
        title.setId("image-details-title");
        title.getStyleClass().add("title-4");
        Label about = new Label();
        about.setId("image-details-about");
        about.setWrapText(true);
        about.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // whole: the manifest below gives way
        TableView<ImagePackage> manifest = new TableView<>();
        manifest.setId("image-manifest");
        manifest.getColumns().add(Tables.column("Package", 220, ImagePackage::name));
        manifest.getColumns().add(Tables.column("Version", 220, ImagePackage::version));
        manifest.getColumns().add(Tables.column("SHA-256 of the .deb", 480, ImagePackage::sha256));
        manifest.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        manifest.setPlaceholder(new Label("No package manifest."));
        // The selection as the person sees it: an image updated in place does not clear and refill the details.
        selection.selectedItemProperty().addListener((obs, old, image) -> {
            if (image == null) {
                title.setText("Select an image to see its details and package manifest.");
                about.setText("");
                manifest.getItems().clear();
                return;
            }
            title.setText(image.name() + " (" + image.id() + ")");
            about.setText((image.description().isEmpty() ? "" : image.description() + "\n") + "State: "
                    + image.state().awsName() + (image.available() ? "" : " (being made: its progress shows in Tasks)")
                    + ". " + bootText(image) + ", SSH user " + image.sshUser() + ", root device "
                    + image.rootDeviceGiB() + " GiB, source: " + image.source() + ".\n"
                    + (image.snapshotId() == null ? "" : "Snapshot: " + image.snapshotId() + " (its disk).\n")
                    + (image.bootsFromDisk() && image.manifest().isEmpty()
                    ? "Nube did not build it: it has no package manifest." : "Packages that went in:"));
            manifest.getItems().setAll(image.manifest());
        });
        VBox box = new VBox(8, title, about, manifest);
        VBox.setVgrow(manifest, Priority.ALWAYS);
        box.getStyleClass().add("details-pane");
        return box;
    }

    /** How an image's instances boot, in words. */
    static String bootText(Image image) {
        if (Image.BOOT_UEFI.equals(image.bootMode())) {
            return "Boots from its own disk by UEFI (OVMF)";
        }
        if (Image.BOOT_BIOS.equals(image.bootMode())) {
            return "Boots from its own disk by BIOS (SeaBIOS)";
        }
        return "Kernel " + image.kernelRelease();
    }

    private void importImage() {
        notice.setText("");
        String region = model.list().region();
        new ImportImageDialog(window(), region, model::previewImport, model::importImage).showAndWait()
                .ifPresent(image -> notice.setText(image.name() + " (" + image.id() + ") is being imported: pending"
                        + " until its disk is converted, its progress in Tasks. Launch it then: its first launch"
                        + " shows whether the guest boots (see the instance's console output)."));
    }

    private Image selected() {
        return selection.selectedItemProperty().get();
    }

    private void enableFor(Button button, ImageAction action) {
        button.disableProperty().bind(Bindings.createBooleanBinding(() -> !action.allows(selected()),
                selection.selectedItemProperty()));
    }

    private void copy(Image image) {
        notice.setText("");
        String from = model.list().region();
        model.regions(regions -> new CopyImageDialog(window(), image, from, regions, model::copy).showAndWait()
                .ifPresent(copied -> notice.setText(image.id() + " is being copied to " + copied.region() + " as "
                        + copied.image().name() + " (" + copied.image().id() + "), pending until it is whole: "
                        + (copied.region().equals(from) ? "it is listed here" : "select " + copied.region()
                        + " to see it") + "; its progress shows in Tasks.")),
                failure -> Dialogs.error(window(), "Could not list the regions", failure));
    }

    private void launchReplicas(Image image) {
        notice.setText("");
        String from = model.list().region();
        model.replicaChoices(choices -> new LaunchReplicasDialog(window(), image, from, choices, model::launchReplicas)
                .showAndWait().ifPresent(tasks -> notice.setText("Launching " + tasks.size() + (tasks.size() == 1
                        ? " replica" : " replicas") + " of " + image.id() + " (in " + String.join(", ", tasks.stream()
                        .map(dev.nube.engine.tasks.Task::region).toList()) + "): each task in Tasks names the"
                        + " instance it launched.")),
                failure -> Dialogs.error(window(), "Could not read the regions, instance types and key pairs",
                        failure));
    }

    private void deregister(Image image) {
        notice.setText("");
        String details = image.bootsFromDisk() && image.snapshotId() == null
                ? "Its disk (" + String.format("%.1f MiB", image.sizeBytes() / 1048576.0) + ") is deleted."
                : image.snapshotId() == null
                ? "Its kernel, initramfs and base disk (" + String.format("%.1f MiB", image.sizeBytes() / 1048576.0)
                + ") are deleted."
                : (image.bootsFromDisk() ? "" : "Its kernel and initramfs are deleted. ") + "Its disk is its snapshot "
                + image.snapshotId() + ", which is kept: delete it on the Snapshots page if it is no longer needed.";
        if (Dialogs.confirm(window(), "Deregister image", "Deregister " + image.name() + " ("
                + image.id() + ")?", details + " An image that an instance still uses cannot be deregistered: its"
                + " root volume is an overlay on the image's disk.", "Deregister")) {
            model.deregister(image, () -> { }, failure -> Dialogs.error(window(),
                    "Could not deregister the image", failure));
        }
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
