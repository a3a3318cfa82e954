package dev.nube.ui.common;

import dev.nube.engine.store.Listing;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.store.StoreProblem;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.StringProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The list half of a resource page's view model: the resources of one kind in the selected region, kept current by
 * engine events and region changes, a text filter, the documents that could not be read, and the last failure.
 * Results for a region that is no longer selected are dropped. FX thread only.
 */
public final class ResourceListModel<T> {
    private final ConsoleContext context;
    private final ResourceKind kind;
    private final Function<String, Listing<T>> lister;
    private final Function<T, String> searchText;
    private final ObservableList<T> items = FXCollections.observableArrayList();
    private final FilteredList<T> filtered = new FilteredList<>(items);
    private final ObservableList<StoreProblem> problems = FXCollections.observableArrayList();
    private final StringProperty filter = new SimpleStringProperty("");
    private final javafx.beans.property.ObjectProperty<Predicate<T>> extraFilter =
            new javafx.beans.property.SimpleObjectProperty<>(item -> true);
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private final javafx.beans.value.ChangeListener<String> regionListener = (obs, old, region) -> reload();
    private final AutoCloseable subscription;
    private long generations;
    /** Each item's search text, lower-cased, made in the background with its listing (typing stays cheap). */
    private Map<T, String> searchIndex = new IdentityHashMap<>();

    /**
     * @param lister     reads the listing of a region (runs in the background)
     * @param searchText the text of a resource the filter matches against (runs in the background too)
     */
    public ResourceListModel(ConsoleContext context, ResourceKind kind, Function<String, Listing<T>> lister,
                             Function<T, String> searchText) {
        this.context = context;
        this.kind = kind;
        this.lister = lister;
        this.searchText = searchText;
        filter.addListener((obs, old, text) -> refilter());
        extraFilter.addListener((obs, old, predicate) -> refilter());
        context.region().addListener(regionListener);
        subscription = context.events().on(ResourceChanged.class, event -> {
            if (event.kind() == kind && event.region().equals(context.region().get())) {
                reload();
            }
        });
        reload();
    }

    private void refilter() {
        Predicate<T> extra = extraFilter.get() == null ? item -> true : extraFilter.get();
        filtered.setPredicate(matching(filter.get()).and(extra));
    }

    private Predicate<T> matching(String text) {
        if (text == null || text.isBlank()) {
            return item -> true;
        }
        String needle = text.strip().toLowerCase(Locale.ROOT);
        return item -> {
            String indexed = searchIndex.get(item);
            return (indexed != null ? indexed : lowered(item)).contains(needle);
        };
    }

    private String lowered(T item) {
        return searchText.apply(item).toLowerCase(Locale.ROOT);
    }

    /** Stops following the engine and the region (for lists that live shorter than the console, as in a tab). */
    public void dispose() {
        context.region().removeListener(regionListener);
        try {
            subscription.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the list again. Reloads may overlap (events come in bursts); only the newest one's answer is shown, so
     * an older listing finishing last never replaces a newer one.
     */
    public void reload() {
        String region = context.region().get();
        long generation = ++generations;
        loading.set(true);
        context.tasks().submit(() -> {
            Listing<T> listing = lister.apply(region);
            Map<T, String> index = new IdentityHashMap<>();
            listing.items().forEach(item -> index.put(item, lowered(item)));
            return new Indexed<>(listing, index);
        }, indexed -> {
            if (generation != generations) {
                return;
            }
            loading.set(false);
            searchIndex = indexed.searchIndex();
            items.setAll(indexed.listing().items());
            problems.setAll(indexed.listing().problems());
            failure.set("");
        }, error -> {
            if (generation != generations) {
                return;
            }
            loading.set(false);
            failure.set(Errors.message(error));
        });
    }

    private record Indexed<T>(Listing<T> listing, Map<T, String> searchIndex) {
    }

    public String region() {
        return context.region().get();
    }

    /** Every resource of the region, unfiltered. */
    public ObservableList<T> items() {
        return items;
    }

    /** The resources the filter lets through, for the table. */
    public FilteredList<T> filtered() {
        return filtered;
    }

    /** A further condition rows must meet besides the text filter (e.g. a state), or null for none. */
    public javafx.beans.property.ObjectProperty<Predicate<T>> extraFilterProperty() {
        return extraFilter;
    }

    public ObservableList<StoreProblem> problems() {
        return problems;
    }

    public StringProperty filterProperty() {
        return filter;
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** Why the last reload failed, or empty. */
    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }
}
