package dev.nube.ui.network;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.network.addresses.ElasticIp;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputDialog;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Elastic IPs page: the region's static public addresses (allocate, associate with an instance, disassociate,
 * release) and the public network's settings: the address pool and publishing on this machine's LAN addresses.
 * FX thread only.
 */
public final class ElasticIpsView extends VBox {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());

    private final ElasticIpsViewModel model;
    private final TableView<ElasticIp> table = new TableView<>();
    /** "i-0abc... (web)" by instance id, read again whenever the list changes. */
    private final Map<String, String> instanceNames = new HashMap<>();
    private final Label settings = new Label();
    private final CheckBox lan = new CheckBox();

    public ElasticIpsView(ElasticIpsViewModel model) {
        this.model = model;
        setSpacing(8);
        table.setId("elastic-ips-table");
        table.setItems(model.list().filtered());
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new Label("No Elastic IPs in this region. Allocate one: it stays yours until you release"
                + " it, and follows the instance you associate it with across stops and starts."));
        table.getColumns().add(Tables.column("Public IPv4 address", 150, ElasticIp::publicIp));
        table.getColumns().add(Tables.column("Allocation ID", 210, ElasticIp::allocationId));
        table.getColumns().add(Tables.column("Associated instance", 260, a -> a.instanceId() == null ? "-"
                : instanceNames.getOrDefault(a.instanceId(), a.instanceId())));
        table.getColumns().add(Tables.column("Association ID", 210, a -> a.associationId() == null ? "-"
                : a.associationId()));
        table.getColumns().add(Tables.column("Allocated", 140, a -> WHEN.format(a.allocatedAt())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.keepSelectionById(table, ElasticIp::allocationId);
        model.list().filtered().addListener((ListChangeListener<ElasticIp>) change -> readNames());

        Button allocate = new Button("Allocate Elastic IP address", new FontIcon(Feather.PLUS));
        allocate.setId("allocate-elastic-ip");
        allocate.getStyleClass().add("accent");
        allocate.setOnAction(e -> model.allocate(a -> table.getSelectionModel().select(a),
                failure -> Dialogs.error(window(), "Could not allocate an Elastic IP", failure)));
        Button associate = new Button("Associate", new FontIcon(Feather.LINK));
        associate.setId("associate-elastic-ip");
        associate.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        associate.setOnAction(e -> associate(table.getSelectionModel().getSelectedItem()));
        Button disassociate = new Button("Disassociate", new FontIcon(Feather.SLASH));
        disassociate.setId("disassociate-elastic-ip");
        disassociate.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        disassociate.setOnAction(e -> {
            ElasticIp address = table.getSelectionModel().getSelectedItem();
            model.disassociate(address, done -> { }, failure -> Dialogs.error(window(), "Could not disassociate "
                    + address.publicIp(), failure));
        });
        Button release = new Button("Release", new FontIcon(Feather.TRASH_2));
        release.setId("release-elastic-ip");
        release.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        release.setOnAction(e -> release(table.getSelectionModel().getSelectedItem()));
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());
        ResourcePage page = new ResourcePage("Elastic IPs", model.list(), table, refresh, release, disassociate,
                associate, allocate);
        VBox.setVgrow(page, Priority.ALWAYS);

        settings.setId("public-network-settings");
        settings.setWrapText(true);
        settings.getStyleClass().add("text-muted");
        Button pool = new Button("Change pool...");
        pool.setId("change-public-pool");
        pool.setOnAction(e -> changePool());
        pool.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        lan.setId("publish-on-lan");
        lan.setOnAction(e -> model.setPublishOnLan(lan.isSelected(), this::showSettings, failure -> {
            Dialogs.error(window(), "Could not change LAN publishing", failure);
            showSettings();
        }));
        HBox.setHgrow(settings, Priority.ALWAYS);
        getChildren().addAll(page, new HBox(12, settings, pool), lan);
        showSettings();
        readNames();
    }

    private void showSettings() {
        List<String> limits = model.limits();
        settings.setText("Public addresses of instances and Elastic IPs come from " + model.publicPool()
                + (model.publicPool().startsWith("127.") ? ", loopback addresses only this machine reaches" : "")
                + ". An instance's public address serves the ports its security groups allow from CIDR blocks."
                + " Each region holds at most " + model.quota() + " Elastic IPs."
                + (limits.isEmpty() ? "" : " " + String.join(" ", limits)));
        List<String> addresses = model.lanAddresses();
        lan.setSelected(model.publishesOnLan());
        lan.setText(addresses.isEmpty() ? "Also publish on this machine's LAN addresses (it has none now)"
                : "Also publish allowed ports on this machine's LAN addresses in this region (" + String.join(", ",
                addresses) + "): other devices on your network reach them, and source CIDRs are what protect"
                + " them");
        lan.setWrapText(true);
    }

    private void readNames() {
        model.associable(found -> {
            instanceNames.clear();
            for (Instance i : found) {
                instanceNames.put(i.id(), describe(i));
            }
            table.refresh();
        }, failure -> { });
    }

    private static String describe(Instance i) {
        return i.id() + (i.name() == null || i.name().isEmpty() ? "" : " (" + i.name() + ")") + ", "
                + i.state().awsName();
    }

    private void associate(ElasticIp address) {
        model.associable(found -> {
            if (found.isEmpty()) {
                Dialogs.error(window(), "No instance", "This region has no instance to associate "
                        + address.publicIp() + " with. Launch one first.");
                return;
            }
            List<String> choices = found.stream().map(ElasticIpsView::describe).toList();
            ChoiceDialog<String> dialog = new ChoiceDialog<>(choices.get(0), choices);
            dialog.initOwner(window());
            dialog.setTitle("Associate Elastic IP");
            dialog.setHeaderText("Associate " + address.publicIp() + " with an instance. An address associated"
                    + " elsewhere moves; the instance's public address becomes this one.");
            Dialogs.style(dialog);
            dialog.showAndWait().ifPresent(choice -> {
                String instanceId = choice.substring(0, choice.indexOf(' ') < 0 ? choice.length()
                        : choice.indexOf(' '));
                model.associate(address, instanceId.replace(",", ""), done -> { }, failure -> Dialogs.error(
                        window(), "Could not associate " + address.publicIp(), failure));
            });
        }, failure -> Dialogs.error(window(), "Could not list the instances", failure));
    }

    private void release(ElasticIp address) {
        if (Dialogs.confirm(window(), "Release Elastic IP", "Release " + address.publicIp() + "?",
                "The address goes back to the pool; another instance may get it.", "Release")) {
            model.release(address, () -> { }, failure -> Dialogs.error(window(), "Could not release "
                    + address.publicIp(), failure));
        }
    }

    private void changePool() {
        TextInputDialog dialog = new TextInputDialog(model.publicPool());
        dialog.initOwner(window());
        dialog.setTitle("Public address pool");
        dialog.setHeaderText("The IPv4 block public addresses come from: a loopback block (127.x.y.z/n) that only"
                + " this machine reaches, or a private block (10/8, 172.16/12, 192.168/16) whose addresses this"
                + " machine has. Running instances keep their addresses until they stop.");
        Dialogs.style(dialog);
        dialog.showAndWait().ifPresent(cidr -> model.setPublicPool(cidr.strip(), this::showSettings,
                failure -> Dialogs.error(window(), "Could not change the pool", failure)));
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
