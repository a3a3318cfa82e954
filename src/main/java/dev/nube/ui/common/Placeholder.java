package dev.nube.ui.common;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;

/** A page that says what it will hold, instead of a blank pane or a fake table. */
public final class Placeholder extends VBox {
    public Placeholder(Ikon icon, String title, String text) {
        getStyleClass().add("placeholder");
        setAlignment(Pos.CENTER);
        setSpacing(12);
        FontIcon glyph = new FontIcon(icon);
        glyph.getStyleClass().add("placeholder-icon");
        Label heading = new Label(title);
        heading.getStyleClass().add("title-3");
        Label body = new Label(text);
        body.setWrapText(true);
        body.setMaxWidth(520);
        body.getStyleClass().add("text-muted");
        body.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
        getChildren().addAll(glyph, heading, body);
    }
}
