package dev.nube.ui.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.AliasRules;
import dev.nube.engine.functions.FunctionAlias;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionUrlConfig;
import dev.nube.engine.functions.FunctionUrlService;
import dev.nube.engine.functions.FunctionVersion;
import dev.nube.ui.common.Errors;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Aliases tab: the function's aliases with where each sends invocations, how many its versions ran in the last 24
 * hours and its function URL; creating, editing and deleting them, and making or deleting an alias's URL. The form is
 * checked as it is typed, with the engine's rules and sentences ({@link AliasRules}), before anything is sent. Versions
 * and their counts come from the Versions tab's model. Engine calls run on the task executor. FX thread only.
 */
final class AliasesViewModel {
    private final FunctionScope scope;
    private final VersionsViewModel versions;
    private final FunctionUrlService urls;
    private final ObservableList<FunctionAlias> aliases = FXCollections.observableArrayList();
    private final javafx.collections.ObservableMap<String, String> aliasUrls = FXCollections.observableHashMap();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");

    AliasesViewModel(FunctionScope scope, VersionsViewModel versions) {
        this(scope, versions, null);
    }

    /** @param urls the function URLs, whose aliases' URLs the tab shows, makes and deletes; null shows none */
    AliasesViewModel(FunctionScope scope, VersionsViewModel versions, FunctionUrlService urls) {
        this.scope = scope;
        this.versions = versions;
        this.urls = urls;
        reload();
    }

    void reload() {
        scope.tasks().submit(() -> scope.functions().aliases(scope.region(), scope.name()), aliases::setAll,
                error -> status.set(Errors.message(error)));
        if (urls != null) {
            scope.tasks().submit(() -> urls.list(scope.region(), scope.name()), list -> {
                Map<String, String> byAlias = new java.util.HashMap<>();
                list.stream().filter(u -> u.qualifier() != null).forEach(u -> byAlias.put(u.qualifier(),
                        u.url() == null ? "(not served: " + urls.endpointProblem() + ")" : u.url()));
                aliasUrls.keySet().retainAll(byAlias.keySet());
                aliasUrls.putAll(byAlias);
            }, error -> status.set(Errors.message(error)));
        }
    }

    /** True when the tab can show and make the aliases' URLs. */
    boolean servesUrls() {
        return urls != null;
    }

    /** The address of each alias that has a URL, by alias name. */
    javafx.collections.ObservableMap<String, String> urls() {
        return aliasUrls;
    }

    /** Makes a URL for {@code alias} that anything on this machine may call (auth type NONE). */
    void createUrl(FunctionAlias alias) {
        scope.tasks().submit(() -> urls.create(scope.region(), scope.name(), alias.name(),
                FunctionUrlConfig.AuthType.NONE, null, null), made -> {
                    status.set("Created the URL of alias " + alias.name() + ": " + made.url());
                    reload();
                }, error -> status.set(Errors.message(error)));
    }

    /** Deletes the URL of {@code alias}: its address answers 404 from now on. */
    void deleteUrl(FunctionAlias alias) {
        scope.tasks().submit(() -> {
            urls.delete(scope.region(), scope.name(), alias.name());
            return alias;
        }, deleted -> {
            status.set("Deleted the URL of alias " + deleted.name() + ".");
            reload();
        }, error -> status.set(Errors.message(error)));
    }

    ObservableList<FunctionAlias> aliases() {
        return aliases;
    }

    /** The versions an alias can point to: $LATEST, then the published ones, newest first. */
    List<String> versionChoices() {
        List<String> choices = new ArrayList<>();
        choices.add(FunctionConfiguration.LATEST);
        versions.versions().stream().map(FunctionVersion::version).forEach(choices::add);
        return choices;
    }

    /** The published versions, newest first: what an alias can route an additional share to. */
    List<String> additionalChoices() {
        return versions.versions().stream().map(FunctionVersion::version).toList();
    }

    /** Where {@code alias} sends invocations, e.g. "1 (70%), 2 (30%)", or "1" without weights. */
    static String routing(FunctionAlias alias) {
        if (alias.additionalVersionWeights().isEmpty()) {
            return alias.functionVersion();
        }
        double others = alias.additionalVersionWeights().values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder text = new StringBuilder(alias.functionVersion() + " ("
                + AliasForm.percentText(BigDecimal.ONE.subtract(BigDecimal.valueOf(others)).doubleValue()) + "%)");
        alias.additionalVersionWeights().forEach((version, weight) -> text.append(", ").append(version).append(" (")
                .append(AliasForm.percentText(weight)).append("%)"));
        return text.toString();
    }

    /**
     * The invocations the versions {@code alias} routes to ran in the last 24 hours, per version ("1: 700, 2: 300"):
     * invocations by alias count for the version that ran, as do those of the version named directly.
     */
    String invocations(FunctionAlias alias) {
        List<String> parts = new ArrayList<>();
        parts.add(alias.functionVersion() + ": " + versions.invocationsOf(alias.functionVersion()));
        alias.additionalVersionWeights().keySet().forEach(v -> parts.add(v + ": " + versions.invocationsOf(v)));
        return String.join(", ", parts);
    }

    /** The form for editing {@code alias}, filled with what it is now. */
    static AliasForm formOf(FunctionAlias alias) {
        Optional<Map.Entry<String, Double>> weighted = alias.additionalVersionWeights().entrySet().stream().findFirst();
        return new AliasForm(alias.name(), alias.functionVersion(), alias.description(),
                weighted.map(Map.Entry::getKey).orElse(""),
                weighted.map(w -> AliasForm.percentText(w.getValue())).orElse(""));
    }

    /**
     * What is wrong with {@code form}, in the words the dialog shows, or empty. {@code creating}: the name is new (it
     * must follow the rules and not be taken); an edit keeps its name.
     */
    Optional<String> problem(AliasForm form, boolean creating) {
        if (creating) {
            Optional<String> name = AliasRules.nameProblem(form.name());
            if (name.isPresent()) {
                return name;
            }
            if (aliases.stream().anyMatch(a -> a.name().equals(form.name()))) {
                return Optional.of("An alias named " + form.name() + " already exists: edit it, or choose another"
                        + " name.");
            }
        }
        if (form.description().length() > 256) {
            return Optional.of("A description has at most 256 characters.");
        }
        if (form.weighted()) {
            BigDecimal percent = form.percent();
            if (percent == null || percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) >= 0) {
                return Optional.of("The additional version's share is a percentage from 0 up to (not including)"
                        + " 100, e.g. 10 for a tenth of the invocations" + (form.weightPercent().isEmpty() ? "."
                        : "; '" + form.weightPercent() + "' is not."));
            }
        }
        return AliasRules.routingProblem(form.version(), form.weights());
    }

    /** Creates the alias {@code form} describes (checked first: a form with a problem is not sent). */
    void create(AliasForm form, Consumer<FunctionAlias> onCreated, Consumer<Throwable> onFailure) {
        Optional<String> problem = problem(form, true);
        if (problem.isPresent()) {
            onFailure.accept(new EngineException("InvalidParameterValueException", problem.get()));
            return;
        }
        scope.tasks().submit(() -> scope.functions().createAlias(scope.region(), scope.name(), form.name(),
                form.version(), form.description(), form.weights()), created -> {
                    status.set("Created alias " + created.name() + ".");
                    reload();
                    onCreated.accept(created);
                }, onFailure);
    }

    /**
     * Changes {@code alias} to what {@code form} says, unless it changed since it was read (its revision is sent, so
     * another change made meanwhile is refused rather than overwritten).
     */
    void update(FunctionAlias alias, AliasForm form, Consumer<FunctionAlias> onUpdated, Consumer<Throwable> onFailure) {
        Optional<String> problem = problem(form, false);
        if (problem.isPresent()) {
            onFailure.accept(new EngineException("InvalidParameterValueException", problem.get()));
            return;
        }
        scope.tasks().submit(() -> scope.functions().updateAlias(scope.region(), scope.name(), alias.name(),
                form.version(), form.description(), form.weights(), alias.revisionId()), updated -> {
                    status.set("Saved alias " + updated.name() + ".");
                    reload();
                    onUpdated.accept(updated);
                }, onFailure);
    }

    void delete(FunctionAlias alias) {
        scope.tasks().submit(() -> {
            scope.functions().deleteAlias(scope.region(), scope.name(), alias.name());
            return alias;
        }, deleted -> {
            status.set("Deleted alias " + deleted.name() + ".");
            reload();
        }, error -> status.set(Errors.message(error)));
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }
}
