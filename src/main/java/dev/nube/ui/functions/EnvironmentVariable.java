package dev.nube.ui.functions;

import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** A row of the environment variables table: key, value, and what is wrong with it (set by the view model). */
final class EnvironmentVariable {
    private final StringProperty key;
    private final StringProperty value;
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");

    EnvironmentVariable(String key, String value) {
        this.key = new SimpleStringProperty(key);
        this.value = new SimpleStringProperty(value);
    }

    /** What a list of rows watches, so an edit in any row re-checks the table. */
    Observable[] observables() {
        return new Observable[] {key, value};
    }

    StringProperty keyProperty() {
        return key;
    }

    StringProperty valueProperty() {
        return value;
    }

    String key() {
        return key.get();
    }

    String value() {
        return value.get();
    }

    ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    void setProblem(String text) {
        problem.set(text);
    }
}
