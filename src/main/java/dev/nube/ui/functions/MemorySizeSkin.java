package dev.nube.ui.functions;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.SkinBase;
import javafx.scene.control.Slider;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Draws a {@link MemorySizeControl}: a slider that snaps to the 64 MB steps, a field that takes digits only and
 * commits on Enter or when it loses focus, and the control's note below. FX thread only.
 */
final class MemorySizeSkin extends SkinBase<MemorySizeControl> {
    MemorySizeSkin(MemorySizeControl control) {
        super(control);
        Slider slider = new Slider(MemorySize.MIN, MemorySize.MAX, control.getValue());
        slider.getStyleClass().add("memory-slider");
        slider.setMajorTickUnit(MemorySize.STEP);
        slider.setMinorTickCount(0);
        slider.setSnapToTicks(true);
        slider.setBlockIncrement(MemorySize.STEP);
        HBox.setHgrow(slider, Priority.ALWAYS);

        TextField field = new TextField(Integer.toString(control.getValue()));
        field.getStyleClass().add("memory-field");
        field.setPrefColumnCount(5);
        field.setTextFormatter(new TextFormatter<String>(change -> change.getControlNewText().matches("\\d{0,6}")
                ? change : null));
        Label unit = new Label("MB");

        slider.valueProperty().addListener((obs, old, mb) -> {
            if (!slider.isValueChanging() || MemorySize.snap(mb.doubleValue()) != control.getValue()) {
                control.setValue((int) Math.round(mb.doubleValue()));
            }
        });
        control.valueProperty().addListener((obs, old, mb) -> {
            slider.setValue(mb.intValue());
            field.setText(Integer.toString(mb.intValue()));
        });
        field.setOnAction(e -> {
            control.enter(field.getText());
            field.setText(Integer.toString(control.getValue()));
        });
        field.focusedProperty().addListener((obs, old, focused) -> {
            if (!focused) {
                control.enter(field.getText());
                field.setText(Integer.toString(control.getValue()));
            }
        });

        Label note = new Label();
        note.getStyleClass().addAll("memory-note", "text-muted");
        note.setWrapText(true);
        note.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        note.textProperty().bind(control.noteProperty());
        note.visibleProperty().bind(control.noteProperty().isNotEmpty());
        note.managedProperty().bind(note.visibleProperty());

        HBox row = new HBox(10, slider, field, unit);
        row.setAlignment(Pos.CENTER_LEFT);
        getChildren().add(new VBox(4, row, note));
    }
}
