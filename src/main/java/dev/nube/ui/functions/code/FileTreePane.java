package dev.nube.ui.functions.code;

import dev.nube.engine.functions.CodeEntry;
import dev.nube.ui.common.Dialogs;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Code tab's file tree: the function's files and folders (folders first), opened with a click; new file, new
 * folder, rename and delete (for $LATEST), by buttons, context menu or keys (F2, Delete). Folders stay open across
 * reloads. FX thread only.
 */
public final class FileTreePane extends VBox {
    private final CodeViewModel model;
    private final TreeView<CodeEntry> tree = new TreeView<>();
    private final Set<String> expanded = new HashSet<>();
    /** True while {@link #rebuild()} puts the selection back. */
    private boolean restoring;

    public FileTreePane(CodeViewModel model, String idPrefix) {
        this.model = model;
        getStyleClass().add("file-tree-pane");
        tree.setId(idPrefix + "-files");
        tree.setShowRoot(false);
        tree.setRoot(new TreeItem<>());
        tree.setCellFactory(t -> {
            EntryCell cell = new EntryCell();
            // A click opens the file even when it is selected already (its tab may have been closed).
            cell.setOnMouseClicked(e -> {
                if (!cell.isEmpty() && !cell.getItem().directory()) {
                    model.open(cell.getItem().path());
                }
            });
            return cell;
        });
        VBox.setVgrow(tree, Priority.ALWAYS);
        model.files().addListener((ListChangeListener<CodeEntry>) change -> rebuild());
        tree.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
            if (!restoring && item != null && item.getValue() != null && !item.getValue().directory()) {
                model.open(item.getValue().path());
            }
        });
        tree.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.F2) {
                rename();
            } else if (e.getCode() == KeyCode.DELETE) {
                delete();
            }
        });
        Label title = new Label("Files");
        title.getStyleClass().add("text-bold");
        HBox head = new HBox(4, title);
        head.setAlignment(Pos.CENTER_LEFT);
        if (!model.readOnly()) {
            HBox.setHgrow(title, Priority.ALWAYS);
            title.setMaxWidth(Double.MAX_VALUE);
            head.getChildren().addAll(
                    button(idPrefix + "-new-file", Feather.FILE_PLUS, "New file", this::newFile),
                    button(idPrefix + "-new-folder", Feather.FOLDER_PLUS, "New folder", this::newFolder),
                    button(idPrefix + "-rename", Feather.EDIT_2, "Rename (F2)", this::rename),
                    button(idPrefix + "-delete", Feather.TRASH_2, "Delete (Delete)", this::delete));
            MenuItem newFile = new MenuItem("New file...");
            newFile.setOnAction(e -> newFile());
            MenuItem newFolder = new MenuItem("New folder...");
            newFolder.setOnAction(e -> newFolder());
            MenuItem rename = new MenuItem("Rename...");
            rename.setOnAction(e -> rename());
            MenuItem delete = new MenuItem("Delete");
            delete.setOnAction(e -> delete());
            tree.setContextMenu(new ContextMenu(newFile, newFolder, rename, delete));
        }
        getChildren().addAll(head, tree);
        model.selectedProperty().addListener((obs, old, document) -> {
            if (document != null && !document.path().equals(selectedPath().orElse(null))) {
                select(document.path());
            }
        });
    }

    private static Button button(String id, Feather icon, String tooltip, Runnable action) {
        Button button = new Button(null, new FontIcon(icon));
        button.setId(id);
        button.getStyleClass().addAll("button-icon", "flat");
        button.setTooltip(new Tooltip(tooltip));
        button.setOnAction(e -> action.run());
        return button;
    }

    /** Rebuilds the tree from the flat list (folders come before their contents), keeping folders open. */
    private void rebuild() {
        CodeDocument shown = model.selectedProperty().get(); // the file in the editor wins over an old selection
        String selected = shown != null ? shown.path() : selectedPath().orElse(null);
        TreeItem<CodeEntry> root = new TreeItem<>();
        Map<String, TreeItem<CodeEntry>> folders = new HashMap<>();
        List<CodeEntry> byPath = model.files().stream().sorted(Comparator.comparing(CodeEntry::path)).toList();
        TreeItem<CodeEntry> select = null;
        for (CodeEntry entry : byPath) { // a folder's path sorts before its contents'
            TreeItem<CodeEntry> item = new TreeItem<>(entry);
            if (entry.directory()) {
                folders.put(entry.path(), item);
                item.setExpanded(expanded.contains(entry.path()));
                item.expandedProperty().addListener((obs, old, open) -> {
                    if (open) {
                        expanded.add(entry.path());
                    } else {
                        expanded.remove(entry.path());
                    }
                });
            }
            folders.getOrDefault(parent(entry.path()), root).getChildren().add(item);
            if (entry.path().equals(selected)) {
                select = item;
            }
        }
        sortFoldersFirst(root);
        // Restoring the selection opens nothing: a file whose tab was closed stays closed.
        restoring = true;
        try {
            tree.setRoot(root);
            if (select != null) {
                tree.getSelectionModel().select(select);
            }
        } finally {
            restoring = false;
        }
    }

    private static void sortFoldersFirst(TreeItem<CodeEntry> folder) {
        folder.getChildren().sort(Comparator.comparing((TreeItem<CodeEntry> item) -> !item.getValue().directory())
                .thenComparing(item -> item.getValue().path()));
        folder.getChildren().forEach(FileTreePane::sortFoldersFirst);
    }

    /** Selects the item of {@code path}, opening the folders above it. */
    private void select(String path) {
        TreeItem<CodeEntry> found = find(tree.getRoot(), path);
        if (found != null) {
            for (TreeItem<CodeEntry> up = found.getParent(); up != null; up = up.getParent()) {
                up.setExpanded(true);
            }
            tree.getSelectionModel().select(found);
        }
    }

    private static TreeItem<CodeEntry> find(TreeItem<CodeEntry> item, String path) {
        if (item.getValue() != null && item.getValue().path().equals(path)) {
            return item;
        }
        for (TreeItem<CodeEntry> child : item.getChildren()) {
            TreeItem<CodeEntry> found = find(child, path);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private Optional<String> selectedPath() {
        TreeItem<CodeEntry> item = tree.getSelectionModel().getSelectedItem();
        return item == null || item.getValue() == null ? Optional.empty() : Optional.of(item.getValue().path());
    }

    /** The folder new things go in: the selected folder, or the selected file's folder, or the top. */
    private String targetFolder() {
        TreeItem<CodeEntry> item = tree.getSelectionModel().getSelectedItem();
        if (item == null || item.getValue() == null) {
            return "";
        }
        CodeEntry entry = item.getValue();
        String folder = entry.directory() ? entry.path() : parent(entry.path());
        return folder.isEmpty() ? "" : folder + "/";
    }

    private void newFile() {
        ask("New file", "Path of the new file (folders are created)", targetFolder()).ifPresent(model::newFile);
    }

    private void newFolder() {
        ask("New folder", "Path of the new folder", targetFolder()).ifPresent(model::newFolder);
    }

    private void rename() {
        selectedPath().ifPresent(from -> ask("Rename", "New path of " + from, from).filter(to -> !to.equals(from))
                .ifPresent(to -> model.rename(from, to)));
    }

    private void delete() {
        TreeItem<CodeEntry> item = tree.getSelectionModel().getSelectedItem();
        if (item == null || item.getValue() == null) {
            return;
        }
        CodeEntry entry = item.getValue();
        boolean unsaved = model.dirtyFiles().stream().anyMatch(p -> p.equals(entry.path())
                || p.startsWith(entry.path() + "/"));
        String details = (entry.directory() ? "The folder and everything in it are deleted from $LATEST."
                : "The file is deleted from $LATEST.") + (unsaved ? " Its unsaved edits are lost too." : "")
                + " Published versions keep their copies.";
        if (Dialogs.confirm(getScene().getWindow(), "Delete " + (entry.directory() ? "folder" : "file"),
                "Delete " + entry.path() + "?", details, "Delete")) {
            model.delete(entry.path());
        }
    }

    private Optional<String> ask(String title, String question, String initial) {
        TextInputDialog dialog = new TextInputDialog(initial);
        dialog.initOwner(getScene().getWindow());
        Dialogs.style(dialog);
        dialog.setTitle(title);
        dialog.setHeaderText(question);
        dialog.getEditor().setId("file-path-input");
        dialog.getEditor().setPrefColumnCount(30);
        javafx.application.Platform.runLater(() -> dialog.getEditor().positionCaret(initial.length()));
        return dialog.showAndWait().map(String::strip).filter(s -> !s.isEmpty() && !s.endsWith("/"));
    }

    private static final class EntryCell extends TreeCell<CodeEntry> {
        @Override
        protected void updateItem(CodeEntry entry, boolean empty) {
            super.updateItem(entry, empty);
            if (empty || entry == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            setText(entry.path().substring(entry.path().lastIndexOf('/') + 1));
            setGraphic(new FontIcon(entry.directory() ? Feather.FOLDER : Feather.FILE_TEXT));
        }
    }
}
