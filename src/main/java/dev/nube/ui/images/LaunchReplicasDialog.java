package dev.nube.ui.images;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.region.Region;
import dev.nube.engine.tasks.Task;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Launches one instance of an available image in each of the regions ticked (at least one), of one instance type,
 * with a key pair chosen by name among this region's. The dialog stays open until the engine answers, and shows its
 * refusal in the engine's words; it returns the tasks started (one per region), or nothing if cancelled.
 */
final class LaunchReplicasDialog extends Dialog<List<Task>> {
    /** The instance type a replica gets unless another is chosen (or the smallest that fits, if it does not). */
    static final String DEFAULT_TYPE = "t3.nano";

    /** Starts the replicas in the background, as the view model's command does. */
    interface Launch {
        void launch(Image image, List<String> regions, String instanceType, String keyName,
                    Consumer<List<Task>> onStarted, Consumer<Throwable> onFailure);
    }

    private List<Task> started;

    /** {@code from}: the image's region. */
    LaunchReplicasDialog(Window owner, Image image, String from, ImagesViewModel.ReplicaChoices choices,
                         Launch launch) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Launch replicas");
        setHeaderText("Launch an instance of " + image.name() + " (" + image.id() + ") in each region chosen");
        ButtonType launchType = new ButtonType("Launch replicas", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(launchType, ButtonType.CANCEL);

        VBox regionBoxes = new VBox(6);
        regionBoxes.setId("replica-regions");
        List<CheckBox> ticks = new ArrayList<>();
        for (Region region : choices.regions()) {
            CheckBox tick = new CheckBox(region.name().equals(from) ? region.name() + " (this region)"
                    : region.name());
            tick.setId("replica-region-" + region.name());
            tick.setUserData(region.name());
            ticks.add(tick);
            regionBoxes.getChildren().add(tick);
        }
        BooleanBinding noneTicked = Bindings.createBooleanBinding(() -> ticks.stream().noneMatch(CheckBox::isSelected),
                ticks.stream().map(CheckBox::selectedProperty).toArray(javafx.beans.Observable[]::new));

        ComboBox<ImagesViewModel.TypeChoice> type = new ComboBox<>();
        type.setId("replica-instance-type");
        type.getItems().setAll(choices.types());
        type.setCellFactory(list -> new TypeCell());
        type.setButtonCell(new TypeCell());
        type.setValue(defaultType(choices.types()));
        type.setMaxWidth(Double.MAX_VALUE);

        ComboBox<String> key = new ComboBox<>();
        key.setId("replica-key-pair");
        key.getItems().add(null);
        choices.keyPairs().stream().map(KeyPair::name).forEach(key.getItems()::add);
        key.setCellFactory(list -> new KeyCell());
        key.setButtonCell(new KeyCell());
        key.setValue(null);
        key.setMaxWidth(Double.MAX_VALUE);

        GridPane form = Dialogs.form();
        form.addRow(0, new Label("Regions"), regionBoxes);
        form.addRow(1, new Label("Instance type"), type);
        form.addRow(2, new Label("Key pair name"), key);
        GridPane.setHgrow(type, Priority.ALWAYS);
        GridPane.setHgrow(key, Priority.ALWAYS);
        Label note = new Label("Each region gets one instance, named \"Replica of " + image.name() + "\", in its"
                + " default security group. A region other than " + from + " launches from its copy of this image"
                + " when it has one, else the image is copied there first (under the same name, numbered if the"
                + " region has an image of that name). The key pair is"
                + " looked up by name in each region: a region without a key pair of that name launches its instance"
                + " without one, and its task says so. One task per region shows in Tasks.");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        Label message = Dialogs.problemLabel("launch-replicas-message");
        VBox body = new VBox(12, form, note, message);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button confirm = (Button) getDialogPane().lookupButton(launchType);
        confirm.setId("launch-replicas-confirm");
        BooleanBinding incomplete = noneTicked.or(type.valueProperty().isNull());
        confirm.disableProperty().bind(incomplete);
        confirm.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers
            confirm.disableProperty().unbind();
            confirm.setDisable(true);
            message.setText("Starting...");
            List<String> regions = ticks.stream().filter(CheckBox::isSelected).map(t -> (String) t.getUserData())
                    .toList();
            launch.launch(image, regions, type.getValue().type().name(), key.getValue(), tasks -> {
                started = tasks;
                setResult(tasks);
                close();
            }, failure -> {
                message.setText(Errors.message(failure));
                confirm.disableProperty().bind(incomplete);
            });
        });
        setResultConverter(button -> started);
    }

    /** {@value #DEFAULT_TYPE} if this machine runs it, else the smallest type that fits (types come smallest first). */
    static ImagesViewModel.TypeChoice defaultType(List<ImagesViewModel.TypeChoice> types) {
        return types.stream().filter(t -> t.whyNot() == null && t.type().name().equals(DEFAULT_TYPE)).findFirst()
                .orElse(types.stream().filter(t -> t.whyNot() == null).findFirst().orElse(null));
    }

    private static final class TypeCell extends ListCell<ImagesViewModel.TypeChoice> {
        @Override
        protected void updateItem(ImagesViewModel.TypeChoice item, boolean empty) {
            super.updateItem(item, empty);
            setDisable(!empty && item != null && item.whyNot() != null);
            setText(empty || item == null ? null : item.type().name() + "  (" + item.type().describe() + ")"
                    + (item.whyNot() == null ? "" : ": " + item.whyNot()));
        }
    }

    private static final class KeyCell extends ListCell<String> {
        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty ? null : item == null ? "No key pair" : item);
        }
    }
}
