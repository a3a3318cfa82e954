package dev.nube.ui.instances;

import javafx.beans.binding.Bindings;
import javafx.scene.control.Label;
import javafx.scene.control.SkinBase;
import javafx.scene.layout.HBox;
import javafx.scene.shape.Circle;

/** Draws a {@link StateBadge}: a dot (style class {@code dot}) and the state's name (style class {@code text}). */
final class StateBadgeSkin extends SkinBase<StateBadge> {
    StateBadgeSkin(StateBadge badge) {
        super(badge);
        Circle dot = new Circle(5);
        dot.getStyleClass().add("dot");
        Label text = new Label();
        text.getStyleClass().add("text");
        text.textProperty().bind(Bindings.createStringBinding(
                () -> badge.getState() == null ? "" : badge.getState().awsName(), badge.stateProperty()));
        HBox box = new HBox(6, dot, text);
        box.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        box.getStyleClass().add("pill");
        box.setMaxSize(HBox.USE_PREF_SIZE, HBox.USE_PREF_SIZE);
        getChildren().add(box);
    }
}
