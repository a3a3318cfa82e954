package dev.nube.ui.common;

import dev.nube.engine.store.StoreProblem;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Shows the resources of a view whose documents could not be read, with the reason and the file, so the person can
 * repair or remove them. Hidden when there are none.
 */
public final class ProblemBanner extends VBox {
    public ProblemBanner() {
        getStyleClass().add("problem-banner");
        setProblems(List.of());
    }

    public void setProblems(List<StoreProblem> problems) {
        getChildren().clear();
        setVisible(!problems.isEmpty());
        setManaged(!problems.isEmpty());
        if (problems.isEmpty()) {
            return;
        }
        Label title = new Label(problems.size() == 1 ? "1 resource cannot be read"
                : problems.size() + " resources cannot be read", new FontIcon(Feather.ALERT_TRIANGLE));
        title.getStyleClass().add("problem-title");
        getChildren().add(title);
        for (StoreProblem problem : problems) {
            Label line = new Label(problem.id() + ": " + problem.message() + ". The file is kept as it is: "
                    + problem.path());
            line.setWrapText(true);
            getChildren().add(line);
        }
    }
}
