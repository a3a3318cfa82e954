package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionSummary;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.LeaveGuard;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.StackPane;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Functions page: the list (open a function with a double click or Enter), create and delete, the region's
 * layers ({@link LayersDialog}), and the page of
 * the open function in its place. Guards unsaved edits: going back to the list, switching function, leaving the
 * page and quitting all ask first ({@link LeaveGuard}). FX thread only.
 */
public final class FunctionsView extends StackPane implements LeaveGuard {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());

    private final FunctionsViewModel model;
    private final TableView<FunctionSummary> table = new TableView<>();
    private final ResourcePage listPage;

    public FunctionsView(FunctionsViewModel model) {
        this.model = model;
        getStyleClass().add("functions-view");
        table.setId("functions-table");
        table.setItems(model.list().filtered());
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new Label("No functions in this region. Create one from a blueprint."));
        table.getColumns().add(Tables.column("Name", 180, s -> s.configuration().name()));
        table.getColumns().add(Tables.column("Runtime", 130, s -> model.runtimeTitle(s.configuration().runtime())));
        table.getColumns().add(Tables.column("Memory", 90, s -> s.configuration().memoryMb() + " MB"));
        table.getColumns().add(Tables.column("Timeout", 80, s -> s.configuration().timeoutSeconds() + " s"));
        table.getColumns().add(Tables.column("Last modified", 140, s -> TIME.format(s.configuration()
                .lastModified())));
        table.getColumns().add(Tables.column("Invocations (24 h)", 150, s -> Long.toString(s.invocations24h())));
        table.getColumns().add(Tables.column("Errors (24 h)", 115, s -> Long.toString(s.errors24h())));
        table.getColumns().add(Tables.column("Description", 160, s -> s.configuration().description()));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.keepSelectionById(table, s -> s.configuration().id());
        model.runtimes().addListener((javafx.collections.ListChangeListener<Object>) c -> table.refresh());
        table.setRowFactory(t -> {
            TableRow<FunctionSummary> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && !row.isEmpty()) {
                    model.open(row.getItem().configuration().name());
                }
            });
            return row;
        });
        table.setOnKeyPressed(e -> {
            FunctionSummary selected = table.getSelectionModel().getSelectedItem();
            if (selected != null && e.getCode() == KeyCode.ENTER) {
                model.open(selected.configuration().name());
            } else if (selected != null && e.getCode() == KeyCode.DELETE) {
                delete(selected.configuration());
            }
        });

        Button create = new Button("Create function", new FontIcon(Feather.PLUS));
        create.setId("create-function");
        create.getStyleClass().add("accent");
        create.setOnAction(e -> new CreateFunctionDialog(model, window()).showAndWait()
                .ifPresent(function -> model.open(function.name())));
        Button open = new Button("Open", new FontIcon(Feather.EXTERNAL_LINK));
        open.setId("open-function");
        open.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        open.setOnAction(e -> model.open(table.getSelectionModel().getSelectedItem().configuration().name()));
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("delete-function");
        delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        delete.setOnAction(e -> delete(table.getSelectionModel().getSelectedItem().configuration()));
        Button layers = new Button("Layers", new FontIcon(Feather.LAYERS));
        layers.setId("functions-layers");
        layers.setOnAction(e -> new LayersDialog(model.layers(), window()).showAndWait());
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());
        CheckBox cpu = new CheckBox("CPU in proportion to memory, as on AWS");
        cpu.setId("functions-cpu-from-memory");
        cpu.setTooltip(new javafx.scene.control.Tooltip("1,769 MB is one CPU, 128 MB about 7% of one, from the end"
                + " of a function's init. Off: every function may use the whole machine (faster, less like AWS)."));
        java.util.function.Consumer<FunctionsViewModel.Sandbox> showCpu = sandbox -> {
            cpu.setDisable(sandbox == null); // until the setting is read
            if (sandbox != null) {
                cpu.setSelected(sandbox.cpuFromMemory());
            }
        };
        showCpu.accept(model.sandboxProperty().get());
        model.sandboxProperty().addListener((obs, old, sandbox) -> showCpu.accept(sandbox));
        cpu.setOnAction(e -> {
            boolean wanted = cpu.isSelected();
            cpu.setDisable(true); // until the engine has it
            model.setCpuFromMemory(wanted, () -> cpu.setDisable(false), failure -> {
                cpu.setSelected(!wanted);
                cpu.setDisable(false);
                Dialogs.error(window(), "Could not change the CPU setting", failure);
            });
        });
        listPage = new ResourcePage("Functions", model.list(), table, cpu, refresh, layers, delete, open,
                create);

        model.openProperty().addListener((obs, old, page) -> show(page));
        show(model.openProperty().get());
    }

    private void show(FunctionPageViewModel page) {
        if (page == null) {
            getChildren().setAll(listPage);
        } else {
            getChildren().setAll(new FunctionPageView(page, model, () -> leave(model::close),
                    name -> leave(() -> model.open(name))));
        }
    }

    private void delete(FunctionConfiguration function) {
        model.deletionDetails(function.name(), details -> {
            if (Dialogs.confirm(window(), "Delete function", "Delete function '" + function.name() + "'?", details,
                    "Delete")) {
                model.delete(function.name(), () -> { }, failure -> Dialogs.error(window(),
                        "Could not delete the function", failure));
            }
        });
    }

    /**
     * Runs {@code proceed} once the open function's unsaved edits are saved or discarded; Cancel runs nothing.
     * Discarding closes the function page, so the discarded edits are really gone.
     */
    @Override
    public void leave(Runnable proceed) {
        FunctionPageViewModel page = model.openProperty().get();
        List<String> unsaved = page == null ? List.of() : page.unsavedWork();
        if (unsaved.isEmpty()) {
            proceed.run();
            return;
        }
        switch (UnsavedChangesDialog.ask(window(), "Leave function " + page.name(), unsaved)) {
            case SAVE -> page.saveAll(proceed, failure -> Dialogs.error(window(), "Your changes were not saved",
                    failure));
            case DISCARD -> {
                model.close();
                proceed.run();
            }
            case CANCEL -> { }
        }
    }

    private Window window() {
        return dev.nube.ui.common.Nodes.windowOf(this);
    }
}
