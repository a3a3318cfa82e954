package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionUrl;
import dev.nube.engine.functions.FunctionUrlConfig.AuthType;
import dev.nube.engine.functions.FunctionUrlCors;
import dev.nube.engine.functions.FunctionUrlService;
import dev.nube.ui.common.Errors;
import java.util.Arrays;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The Configuration tab's Function URL section: the function's URL as the engine has it (none, or its address and
 * settings), and a form for its auth type and CORS settings (lists as comma-separated text) that creates the URL,
 * saves changes to it, or deletes it. The engine checks the settings; its refusal is shown as the status. FX thread
 * only; engine calls run on the scope's task executor.
 */
final class FunctionUrlViewModel {
    private final FunctionScope scope;
    private final FunctionUrlService urls;
    private final ReadOnlyObjectWrapper<FunctionUrl> url = new ReadOnlyObjectWrapper<>();
    private final ObjectProperty<AuthType> authType = new SimpleObjectProperty<>(AuthType.NONE);
    private final BooleanProperty cors = new SimpleBooleanProperty();
    private final StringProperty allowOrigins = new SimpleStringProperty("");
    private final StringProperty allowMethods = new SimpleStringProperty("");
    private final StringProperty allowHeaders = new SimpleStringProperty("");
    private final StringProperty exposeHeaders = new SimpleStringProperty("");
    private final StringProperty maxAge = new SimpleStringProperty("");
    private final BooleanProperty allowCredentials = new SimpleBooleanProperty();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final BooleanBinding exists = Bindings.isNotNull(url);

    FunctionUrlViewModel(FunctionScope scope, FunctionUrlService urls) {
        this.scope = scope;
        this.urls = urls;
    }

    /** Reads the function's URL; the form shows its settings (or the defaults when it has none). */
    void reload() {
        scope.tasks().submit(() -> urls.find(scope.region(), scope.name()).orElse(null), this::show,
                error -> status.set(Errors.message(error)));
    }

    /** Makes the URL with the form's settings. */
    void create() {
        run(() -> urls.create(scope.region(), scope.name(), authType.get(), corsSettings(), null),
                "Function URL created.");
    }

    /** Saves the form's settings to the URL (its address stays). */
    void save() {
        FunctionUrlCors settings = corsSettings();
        run(() -> urls.update(scope.region(), scope.name(), authType.get(), settings == null ? new FunctionUrlCors(
                null, null, null, null, null, null) : settings, null), "Function URL saved.");
    }

    /** Deletes the URL: its address answers 404 from now on. */
    void delete() {
        busy.set(true);
        scope.tasks().submit(() -> {
            urls.delete(scope.region(), scope.name());
            return null;
        }, none -> {
            busy.set(false);
            show(null);
            status.set("Function URL deleted.");
        }, error -> {
            busy.set(false);
            status.set(Errors.message(error));
        });
    }

    private void run(java.util.concurrent.Callable<FunctionUrl> work, String done) {
        busy.set(true);
        scope.tasks().submit(work, made -> {
            busy.set(false);
            show(made);
            status.set(made.url() == null ? done + " " + urls.endpointProblem() : done);
        }, error -> {
            busy.set(false);
            status.set(Errors.message(error));
        });
    }

    private void show(FunctionUrl shown) {
        url.set(shown);
        FunctionUrlCors settings = shown == null ? null : shown.config().cors();
        authType.set(shown == null ? AuthType.NONE : shown.config().authType());
        cors.set(settings != null);
        allowOrigins.set(settings == null ? "" : String.join(", ", settings.allowOrigins()));
        allowMethods.set(settings == null ? "" : String.join(", ", settings.allowMethods()));
        allowHeaders.set(settings == null ? "" : String.join(", ", settings.allowHeaders()));
        exposeHeaders.set(settings == null ? "" : String.join(", ", settings.exposeHeaders()));
        maxAge.set(settings == null || settings.maxAge() == null ? "" : settings.maxAge().toString());
        allowCredentials.set(settings != null && Boolean.TRUE.equals(settings.allowCredentials()));
    }

    /** The form's CORS settings, or null when CORS is off. */
    private FunctionUrlCors corsSettings() {
        if (!cors.get()) {
            return null;
        }
        String age = maxAge.get().strip();
        return new FunctionUrlCors(list(allowOrigins.get()), list(allowMethods.get()), list(allowHeaders.get()),
                list(exposeHeaders.get()), age.isEmpty() ? null : Integer.valueOf(age), allowCredentials.get()
                ? Boolean.TRUE : null);
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The URL as last read or made, null when the function has none. */
    ReadOnlyObjectProperty<FunctionUrl> urlProperty() {
        return url.getReadOnlyProperty();
    }

    /** The address shown (and copied), or empty. */
    String address() {
        FunctionUrl shown = url.get();
        return shown == null || shown.url() == null ? "" : shown.url();
    }

    BooleanBinding existsProperty() {
        return exists;
    }

    ObjectProperty<AuthType> authTypeProperty() {
        return authType;
    }

    BooleanProperty corsProperty() {
        return cors;
    }

    StringProperty allowOriginsProperty() {
        return allowOrigins;
    }

    StringProperty allowMethodsProperty() {
        return allowMethods;
    }

    StringProperty allowHeadersProperty() {
        return allowHeaders;
    }

    StringProperty exposeHeadersProperty() {
        return exposeHeaders;
    }

    StringProperty maxAgeProperty() {
        return maxAge;
    }

    BooleanProperty allowCredentialsProperty() {
        return allowCredentials;
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }
}
