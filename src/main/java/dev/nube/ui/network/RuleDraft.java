package dev.nube.ui.network;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.SecurityGroupRule;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One rule as it is being edited: the preset, the typed port range, peer and description, and what is wrong with
 * them (checked on every change with the engine's own rule check). FX thread only.
 */
final class RuleDraft {
    private static final Pattern PORTS = Pattern.compile("\\s*(\\d{1,5})\\s*(?:-\\s*(\\d{1,5})\\s*)?");
    private static final Pattern GROUP = Pattern.compile("(sg-[0-9a-f]{17})\\b.*");

    private final ObjectProperty<RulePreset> preset = new SimpleObjectProperty<>(RulePreset.SSH);
    private final StringProperty ports = new SimpleStringProperty("22");
    private final StringProperty peer = new SimpleStringProperty("0.0.0.0/0");
    private final StringProperty description = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final Function<String, Optional<String>> groupIdOf;
    private SecurityGroupRule rule;

    RuleDraft(Function<String, Optional<String>> groupIdOf) {
        this.groupIdOf = groupIdOf;
        preset.addListener((obs, old, value) -> {
            if (!value.editablePorts()) {
                ports.set(value.fixedPorts());
            } else if (old != null && !old.editablePorts()) {
                ports.set("");
            }
            check();
        });
        ports.addListener((obs, old, value) -> check());
        peer.addListener((obs, old, value) -> check());
        description.addListener((obs, old, value) -> check());
        check();
    }

    static RuleDraft of(SecurityGroupRule rule, Function<String, Optional<String>> groupIdOf) {
        RuleDraft draft = new RuleDraft(groupIdOf);
        RulePreset preset = RulePreset.of(rule);
        draft.preset.set(preset);
        if (preset.editablePorts()) {
            draft.ports.set(rule.fromPort() == rule.toPort() ? Integer.toString(rule.fromPort())
                    : rule.fromPort() + "-" + rule.toPort());
        }
        draft.peer.set(rule.peer());
        draft.description.set(rule.description());
        return draft;
    }

    private void check() {
        rule = null;
        RulePreset type = preset.get();
        int from = -1;
        int to = -1;
        if (type.protocol().hasPorts()) {
            Matcher matcher = PORTS.matcher(ports.get() == null ? "" : ports.get());
            if (!matcher.matches()) {
                problem.set("Enter a port (0-65535) or a range such as 8000-8080.");
                return;
            }
            from = Integer.parseInt(matcher.group(1));
            to = matcher.group(2) == null ? from : Integer.parseInt(matcher.group(2));
        }
        String peerText = peer.get() == null ? "" : peer.get().strip();
        Matcher group = GROUP.matcher(peerText);
        SecurityGroupRule typed = group.matches()
                ? SecurityGroupRule.fromGroup(type.protocol(), from, to, group.group(1), description.get())
                : SecurityGroupRule.fromCidr(type.protocol(), from, to, peerText, description.get());
        try {
            rule = typed.normalized(groupIdOf);
            problem.set("");
        } catch (EngineException e) {
            problem.set(e.getMessage());
        }
    }

    /** The checked rule, or null while something is wrong. */
    SecurityGroupRule rule() {
        return rule;
    }

    ObjectProperty<RulePreset> presetProperty() {
        return preset;
    }

    StringProperty portsProperty() {
        return ports;
    }

    StringProperty peerProperty() {
        return peer;
    }

    StringProperty descriptionProperty() {
        return description;
    }

    /** What is wrong, or empty. */
    ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }
}
