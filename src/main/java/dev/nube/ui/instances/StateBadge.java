package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.InstanceState;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * An instance state as the EC2 console shows it: a coloured dot and the state's name. The colour comes from the
 * style class {@code state-<name>} in the badge's own stylesheet (state-badge.css), so themes can tune it.
 */
public final class StateBadge extends Control {
    private final ObjectProperty<InstanceState> state = new SimpleObjectProperty<>(this, "state");

    public StateBadge() {
        getStyleClass().add("state-badge");
        setMaxSize(USE_PREF_SIZE, USE_PREF_SIZE);
        state.addListener((obs, old, value) -> {
            if (old != null) {
                getStyleClass().remove(styleClassOf(old));
            }
            if (value != null) {
                getStyleClass().add(styleClassOf(value));
            }
        });
    }

    public StateBadge(InstanceState initial) {
        this();
        setState(initial);
    }

    /** {@code state-running}, {@code state-shutting-down}, ... */
    public static String styleClassOf(InstanceState state) {
        return "state-" + state.awsName();
    }

    public ObjectProperty<InstanceState> stateProperty() {
        return state;
    }

    public InstanceState getState() {
        return state.get();
    }

    public void setState(InstanceState value) {
        state.set(value);
    }

    @Override
    protected Skin<?> createDefaultSkin() {
        return new StateBadgeSkin(this);
    }

    @Override
    public String getUserAgentStylesheet() {
        return StateBadge.class.getResource("/dev/nube/ui/instances/state-badge.css").toExternalForm();
    }
}
