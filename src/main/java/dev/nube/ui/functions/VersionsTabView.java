package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionVersion;
import dev.nube.engine.functions.TestEvent;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Tables;
import dev.nube.ui.functions.code.CodeViewModel;
import dev.nube.ui.functions.code.EditorTabs;
import dev.nube.ui.functions.code.FileTreePane;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Versions tab: published versions (newest first) with what each runs and the invocations each ran in the last
 * 24 hours, publishing $LATEST, a version's code
 * read-only (with zip export), and invoking a version with a saved test event; the result shows below. FX thread
 * only.
 */
final class VersionsTabView extends BorderPane {
    private final VersionsViewModel model;
    private final TableView<FunctionVersion> table = new TableView<>();

    VersionsTabView(VersionsViewModel model, TestViewModel test) {
        this.model = model;
        getStyleClass().add("versions-tab");
        table.setId("versions-table");
        table.setItems(model.versions());
        table.setPlaceholder(new Label("No published versions. Deploy in the Code tab, or Publish here."));
        table.getColumns().add(Tables.column("Version", 70, FunctionVersion::version));
        table.getColumns().add(Tables.column("Description", 200, FunctionVersion::description));
        table.getColumns().add(Tables.column("Invocations, 24 h", 110, v -> Long.toString(model.invocationsOf(
                v.version()))));
        table.getColumns().add(Tables.column("Published", 140, v -> FunctionsView.TIME.format(v.createdAt())));
        table.getColumns().add(Tables.column("Runtime", 80, FunctionVersion::runtime));
        table.getColumns().add(Tables.column("Handler", 190, FunctionVersion::handler));
        table.getColumns().add(Tables.column("Memory", 80, v -> v.memoryMb() + " MB"));
        table.getColumns().add(Tables.column("Timeout", 70, v -> v.timeoutSeconds() + " s"));
        table.getColumns().add(Tables.column("Code size", 90, v -> v.codeSize() + " B"));
        table.getColumns().add(Tables.column("SHA-256", 200, FunctionVersion::codeSha256));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.keepSelectionById(table, FunctionVersion::version);
        // counts change as invocations finish: the rows show them anew
        model.invocations().addListener((javafx.collections.MapChangeListener<String, Long>) c -> table.refresh());

        Button publish = new Button("Publish new version", new FontIcon(Feather.UPLOAD_CLOUD));
        publish.setId("versions-publish");
        publish.setOnAction(e -> publish());
        Button view = new Button("View code", new FontIcon(Feather.EYE));
        view.setId("versions-view-code");
        view.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        view.setOnAction(e -> viewCode(table.getSelectionModel().getSelectedItem()));
        ComboBox<TestEvent> event = new ComboBox<>(test.events());
        event.setId("versions-event");
        event.setPromptText("Test event");
        event.setCellFactory(list -> new TestTabView.EventCell());
        event.setButtonCell(new TestTabView.EventCell());
        test.events().addListener((javafx.collections.ListChangeListener<TestEvent>) c -> {
            if (event.getValue() == null && !test.events().isEmpty()) {
                event.getSelectionModel().select(0);
            }
        });
        if (!test.events().isEmpty()) {
            event.getSelectionModel().select(0);
        }
        Button invoke = new Button("Invoke version", new FontIcon(Feather.PLAY));
        invoke.setId("versions-invoke");
        invoke.getStyleClass().add("accent");
        invoke.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull()
                .or(model.invocation().runningProperty()));
        invoke.setOnAction(e -> model.invoke(table.getSelectionModel().getSelectedItem(), event.getValue() == null
                ? "{}" : event.getValue().json()));
        Label with = new Label("with");
        Label status = new Label();
        status.setId("versions-status");
        status.getStyleClass().add("text-muted");
        status.textProperty().bind(model.statusProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, publish, status, spacer, view, invoke, with, event);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("versions-toolbar");
        Label hint = new Label();
        hint.getStyleClass().add("text-muted");
        hint.textProperty().bind(Bindings.createStringBinding(() -> test.events().isEmpty()
                ? "No saved test events: a version is invoked with {} (save events in the Test tab)." : "",
                test.events()));

        VBox top = new VBox(8, bar, hint, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        SplitPane split = new SplitPane(top, new InvocationResultView(model.invocation(), "versions-result",
                "Choose a version and Invoke: the result of that version shows here."));
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.45);
        setCenter(split);
    }

    private void publish() {
        TextInputDialog dialog = new TextInputDialog();
        dialog.initOwner(getScene().getWindow());
        Dialogs.style(dialog);
        dialog.setTitle("Publish new version");
        dialog.setHeaderText("Publish $LATEST as it is saved now (unsaved editor edits are not included).");
        dialog.setContentText("Description (optional)");
        dialog.showAndWait().ifPresent(description -> model.publish(description.strip()));
    }

    /** Shows a version's files in a read-only editor, with zip export. */
    private void viewCode(FunctionVersion version) {
        CodeViewModel code = model.code(version);
        code.openMain(version.handler());
        FileTreePane files = new FileTreePane(code, "version");
        files.setPrefWidth(220);
        EditorTabs editors = new EditorTabs(code, "version");
        SplitPane split = new SplitPane(files, editors);
        split.setDividerPositions(0.25);
        split.setPrefSize(900, 560);
        Button export = new Button("Export zip", new FontIcon(Feather.ARCHIVE));
        export.setOnAction(e -> {
            javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
            chooser.setInitialFileName(code.zipName());
            java.io.File target = chooser.showSaveDialog(getScene().getWindow());
            if (target != null) {
                code.exportZip(target.toPath());
            }
        });
        Label status = new Label();
        status.getStyleClass().add("text-muted");
        status.textProperty().bind(Bindings.concat(code.statusProperty(), code.failureProperty()));
        HBox bar = new HBox(8, export, status);
        bar.setAlignment(Pos.CENTER_LEFT);
        Dialog<Void> dialog = new Dialog<>();
        dialog.initOwner(getScene().getWindow());
        Dialogs.style(dialog);
        dialog.setTitle("Version " + version.version() + " (read-only)");
        dialog.setHeaderText("Version " + version.version() + (version.description().isEmpty() ? ""
                : ": " + version.description()) + ". Published versions never change.");
        dialog.getDialogPane().setContent(new VBox(8, bar, split));
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        dialog.setResizable(true);
        dialog.show();
    }
}
