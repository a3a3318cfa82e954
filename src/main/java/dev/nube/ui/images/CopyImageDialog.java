package dev.nube.ui.images;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.region.Region;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.util.List;
import java.util.function.Consumer;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Copies an available image to a region: the destination, the copy's name (the image's own by default) and its
 * description. The dialog stays open until the engine answers, and shows its refusal in the engine's words; it
 * returns the copy (pending in the destination) and where it is, or nothing if cancelled.
 */
final class CopyImageDialog extends Dialog<CopyImageDialog.Copied> {
    /** The copy, pending in {@code region}. */
    record Copied(String region, Image image) {
    }

    /** Starts the copy in the background, as the view model's command does. */
    interface Copy {
        void copy(Image image, String destination, String name, String description, Consumer<Image> onStarted,
                  Consumer<Throwable> onFailure);
    }

    private Copied copied;

    /** {@code from}: the image's region; {@code regions}: every region (another one is chosen first). */
    CopyImageDialog(Window owner, Image image, String from, List<Region> regions, Copy copy) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Copy image");
        setHeaderText("Copy " + image.name() + " (" + image.id() + ") to a region");
        ButtonType copyType = new ButtonType("Copy image", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(copyType, ButtonType.CANCEL);

        ComboBox<String> destination = new ComboBox<>();
        destination.setId("copy-image-destination");
        regions.forEach(r -> destination.getItems().add(r.name()));
        destination.setCellFactory(list -> new RegionCell(from));
        destination.setButtonCell(new RegionCell(from));
        destination.setValue(regions.stream().map(Region::name).filter(name -> !name.equals(from)).findFirst()
                .orElse(from));
        destination.setMaxWidth(Double.MAX_VALUE);
        TextField name = new TextField();
        name.setId("copy-image-name");
        name.setPromptText(image.name());
        TextField description = new TextField();
        description.setId("copy-image-description");
        description.setPromptText("optional");

        GridPane form = Dialogs.form();
        form.addRow(0, new Label("Destination region"), destination);
        form.addRow(1, new Label("Name"), name);
        form.addRow(2, new Label("Description"), description);
        GridPane.setHgrow(destination, Priority.ALWAYS);
        GridPane.setHgrow(name, Priority.ALWAYS);
        GridPane.setHgrow(description, Priority.ALWAYS);
        Label note = new Label("An empty name keeps the image's; a region holds one image of a name, so a copy into "
                + from + " needs another. An empty description says where the copy came from, followed by the"
                + " image's. The copy is listed in the destination region at once, pending, and can be launched once"
                + " it is available; its progress shows in Tasks, where it can be cancelled."
                + (image.snapshotId() == null ? "" : " The image's snapshot " + image.snapshotId() + " is copied"
                + " with it and kept there as the copy's disk."));
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        Label message = Dialogs.problemLabel("copy-image-message");
        VBox body = new VBox(12, form, note, message);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button confirm = (Button) getDialogPane().lookupButton(copyType);
        confirm.setId("copy-image-confirm");
        confirm.disableProperty().bind(destination.valueProperty().isNull());
        confirm.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers
            confirm.disableProperty().unbind();
            confirm.setDisable(true);
            message.setText("Starting the copy...");
            String region = destination.getValue();
            copy.copy(image, region, name.getText(), description.getText(), started -> {
                copied = new Copied(region, started);
                setResult(copied);
                close();
            }, failure -> {
                message.setText(Errors.message(failure));
                confirm.disableProperty().bind(destination.valueProperty().isNull());
            });
        });
        setResultConverter(button -> copied);
    }

    private static final class RegionCell extends ListCell<String> {
        private final String from;

        RegionCell(String from) {
            this.from = from;
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : item.equals(from) ? item + " (this region)" : item);
        }
    }
}
