package dev.nube.ui.functions.code;

import dev.nube.ui.common.Dialogs;
import dev.nube.ui.functions.InvocationResultView;
import dev.nube.ui.functions.TestViewModel;
import dev.nube.ui.functions.editor.CodeEditor;
import java.io.File;
import javafx.beans.binding.Bindings;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.FileChooser;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Code tab: the file tree, the editor tabs, and the toolbar: Save (Ctrl+S), Deploy (save, install dependencies,
 * build Go code, and publish a version; their output, and a build's errors, show below the editor), Test (invoke with the Test tab's event; the result
 * shows below the editor), undo, redo, find, and zip import and
 * export. The status line shows the caret, the language and what the last command did. FX thread only.
 */
public final class CodeTabView extends BorderPane {
    private static final KeyCombination SAVE = new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN);

    private final CodeViewModel model;
    private final TestViewModel test;
    private final EditorTabs editors;
    private final TabPane below;
    private final Tab deployTab;

    public CodeTabView(CodeViewModel model, TestViewModel test) {
        this.model = model;
        this.test = test;
        getStyleClass().add("code-tab");
        editors = new EditorTabs(model, "code");
        FileTreePane files = new FileTreePane(model, "code");
        files.setPrefWidth(220);
        InvocationResultView result = new InvocationResultView(test.invocation(), "code-result",
                "Test runs the Test tab's event; the response, log output and REPORT figures show here.");
        Tab resultTab = new Tab("Execution result", result);
        resultTab.setId("code-result-tab");
        deployTab = new Tab("Deploy output", new DeployOutputView(model));
        deployTab.setId("code-deploy-tab");
        below = new TabPane(resultTab, deployTab);
        below.setId("code-below");
        below.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        test.invocation().runningProperty().addListener((obs, was, running) -> {
            if (running) {
                below.getSelectionModel().select(resultTab);
            }
        });
        SplitPane editorAndResult = new SplitPane(editors, below);
        editorAndResult.setOrientation(Orientation.VERTICAL);
        editorAndResult.setDividerPositions(0.5);
        SplitPane main = new SplitPane(files, editorAndResult);
        main.setDividerPositions(0.2);
        SplitPane.setResizableWithParent(files, false);
        setTop(toolbar());
        setCenter(main);
        setBottom(statusLine());
        onSaveShortcut(this, this::save);
    }

    /** Makes Ctrl+S pressed anywhere inside {@code node} run {@code save} (each tab saves what it edits). */
    public static void onSaveShortcut(Node node, Runnable save) {
        node.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (SAVE.match(e)) {
                e.consume();
                save.run();
            }
        });
    }

    private Node toolbar() {
        Button save = button("code-save", "Save", Feather.SAVE, "Save the file (Ctrl+S)", this::save);
        save.disableProperty().bind(Bindings.createBooleanBinding(() -> model.selectedProperty().get() == null
                || !model.selectedProperty().get().dirty() || model.busyProperty().get(), model.selectedProperty(),
                model.dirtyCountProperty(), model.busyProperty()));
        Button deploy = button("code-deploy", "Deploy", Feather.UPLOAD_CLOUD,
                "Save every file, install package.json's or requirements.txt's dependencies and publish the code as a new"
                        + " version", this::deploy);
        deploy.getStyleClass().add("accent");
        deploy.disableProperty().bind(model.busyProperty());
        Button run = button("code-test", "Test", Feather.PLAY, "", () -> test.invoke());
        run.tooltipProperty().bind(Bindings.createObjectBinding(() -> new Tooltip("Invoke $LATEST (as saved) with"
                + " test event '" + test.nameProperty().get() + "' (choose it in the Test tab)"), test.nameProperty()));
        run.disableProperty().bind(test.invocation().runningProperty());
        Label unsavedHint = new Label();
        unsavedHint.getStyleClass().add("text-muted");
        unsavedHint.textProperty().bind(Bindings.createStringBinding(() -> model.dirtyCountProperty().get() == 0 ? ""
                : "Test runs the saved code", model.dirtyCountProperty()));
        Button undo = iconButton("code-undo", Feather.CORNER_UP_LEFT, "Undo (Ctrl+Z)", () -> onEditor(
                CodeEditor::undo));
        Button redo = iconButton("code-redo", Feather.CORNER_UP_RIGHT, "Redo (Ctrl+Y)", () -> onEditor(
                CodeEditor::redo));
        Button find = iconButton("code-find", Feather.SEARCH, "Find and replace (Ctrl+F, Ctrl+H)", () -> onEditor(
                editor -> editor.showFind(true)));
        Button importZip = button("code-import", "Import zip", Feather.DOWNLOAD, "Replace the code with a zip's files",
                this::importZip);
        Button exportZip = button("code-export", "Export zip", Feather.ARCHIVE, "Save the code as a zip file",
                this::exportZip);
        importZip.disableProperty().bind(model.busyProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(6, save, deploy, new Separator(Orientation.VERTICAL), run, unsavedHint,
                new Separator(Orientation.VERTICAL), undo, redo, find, spacer, importZip, exportZip);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("code-toolbar");
        return bar;
    }

    private Node statusLine() {
        Label caret = new Label();
        caret.setId("code-caret");
        caret.getStyleClass().add("text-muted");
        Runnable showCaret = () -> {
            CodeEditor editor = editors.selectedEditor();
            caret.textProperty().unbind();
            if (editor == null) {
                caret.setText("");
                return;
            }
            caret.textProperty().bind(Bindings.createStringBinding(() -> "Ln " + editor.caretLineProperty().get()
                    + ", Col " + editor.caretColumnProperty().get() + "  \u00B7  " + editor.languageProperty().get()
                    .title(), editor.caretLineProperty(), editor.caretColumnProperty(), editor.languageProperty()));
        };
        model.selectedProperty().addListener((obs, old, document) -> showCaret.run());
        Label status = new Label();
        status.setId("code-status");
        status.getStyleClass().add("text-muted");
        status.textProperty().bind(model.statusProperty());
        Label failure = new Label();
        failure.setId("code-failure");
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(model.failureProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox line = new HBox(12, caret, spacer, failure, status);
        line.setAlignment(Pos.CENTER_LEFT);
        line.getStyleClass().add("code-status-line");
        return line;
    }

    private static Button button(String id, String text, Feather icon, String tooltip, Runnable action) {
        Button button = new Button(text, new FontIcon(icon));
        button.setId(id);
        if (!tooltip.isEmpty()) {
            button.setTooltip(new Tooltip(tooltip));
        }
        button.setOnAction(e -> action.run());
        return button;
    }

    private static Button iconButton(String id, Feather icon, String tooltip, Runnable action) {
        Button button = button(id, null, icon, tooltip, action);
        button.getStyleClass().addAll("button-icon", "flat");
        return button;
    }

    private void onEditor(java.util.function.Consumer<CodeEditor> action) {
        CodeEditor editor = editors.selectedEditor();
        if (editor != null) {
            action.accept(editor);
        }
    }

    private void save() {
        CodeDocument document = model.selectedProperty().get();
        if (document != null && document.dirty() && !model.readOnly()) {
            model.save(document, () -> { });
        }
    }

    private void deploy() {
        TextInputDialog dialog = new TextInputDialog();
        dialog.initOwner(getScene().getWindow());
        Dialogs.style(dialog);
        dialog.setTitle("Deploy");
        dialog.setHeaderText("Save every open file, install the dependencies of package.json (npm) or"
                + " requirements.txt (pip),\nbuild Go code into bootstrap (go build) or Java sources into classes.jar"
                + " (javac),\nthen publish the code and the configuration as a new version."
                + "\nPublished versions never change; $LATEST stays editable.");
        dialog.setContentText("Version description (optional)");
        dialog.getEditor().setId("deploy-description");
        dialog.showAndWait().ifPresent(description -> {
            below.getSelectionModel().select(deployTab);
            model.deploy(description.strip(), version -> { });
        });
    }

    private void importZip() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Import a zip as the function's code");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Zip files (*.zip)", "*.zip"));
        File zip = chooser.showOpenDialog(getScene().getWindow());
        if (zip == null) {
            return;
        }
        String unsaved = model.dirtyFiles().isEmpty() ? "" : " Unsaved edits in " + String.join(", ",
                model.dirtyFiles()) + " are lost.";
        if (Dialogs.confirm(getScene().getWindow(), "Import zip", "Replace the code with " + zip.getName() + "?",
                "Every file of $LATEST is replaced by the zip's files." + unsaved + " Published versions keep"
                        + " their copies.", "Replace code")) {
            model.importZip(zip.toPath());
        }
    }

    private void exportZip() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export the code as a zip");
        chooser.setInitialFileName(model.zipName());
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Zip files (*.zip)", "*.zip"));
        File target = chooser.showSaveDialog(getScene().getWindow());
        if (target != null) {
            model.exportZip(target.toPath());
        }
    }
}
