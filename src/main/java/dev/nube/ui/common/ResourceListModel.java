package dev.nube.ui.common;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.store.StoreProblem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The list half of a resource page's view model: the resources of one kind in the selected region, a text filter,
 * the documents that could not be read, and the last failure. The whole region is listed when the page opens, when
 * the region changes, on {@link #reload()}, and when one resource cannot be read; an engine event about one resource
 * reads that resource alone and replaces its row in place (same index), inserts it where the listing would have it,
 * or removes it. Results for a region that is no longer selected are dropped. FX thread only; the lister, the fetcher
 * and the search text run on the task executor.
 */
public final class ResourceListModel<T> {
    /**
     * Where a list's resources come from, read in the background. {@code lister} lists a region, sorted by
     * {@code order}; {@code fetcher} reads one resource of a region by id, empty when it does not exist (any more);
     * {@code idOf} is a resource's id, as engine events name it.
     */
    public record Source<T>(Function<String, Listing<T>> lister, BiFunction<String, String, Optional<T>> fetcher,
                            Function<T, String> idOf, Comparator<? super T> order) {
        /** A source whose listing is sorted by id, as a region's documents are listed. */
        public Source(Function<String, Listing<T>> lister, BiFunction<String, String, Optional<T>> fetcher,
                      Function<T, String> idOf) {
            this(lister, fetcher, idOf, Comparator.comparing(idOf));
        }
    }

    /**
     * A fetcher over a service's get-by-id, which throws an {@link EngineException} with {@code notFoundCode} for a
     * resource that does not exist: that becomes empty; any other failure is passed on.
     */
    public static <T> BiFunction<String, String, Optional<T>> absentOn(String notFoundCode,
                                                                      BiFunction<String, String, T> get) {
        return (region, id) -> {
            try {
                return Optional.of(get.apply(region, id));
            } catch (EngineException e) {
                if (notFoundCode.equals(e.code())) {
                    return Optional.empty();
                }
                throw e;
            }
        };
    }

    private final ConsoleContext context;
    private final ResourceKind kind;
    private final Source<T> source;
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
    /** Counts full reloads: a listing, or a read of one resource, is shown only if no listing started after it. */
    private long generations;
    /** The generation of the listing shown last. */
    private long shownGeneration;
    private boolean disposed;
    /** Each item's search text, lower-cased, made in the background with its listing (typing stays cheap). */
    private Map<T, String> searchIndex = new IdentityHashMap<>();
    /** The row of each id, to find it again when one resource changes. */
    private Map<String, T> rows = new HashMap<>();
    /** The one fetch running per id; events for that id meanwhile ask it to fetch once more when it is done. */
    private final Map<String, Fetch> fetches = new HashMap<>();
    /** Ids whose events came while a listing was being read: read once that listing answers (or fails). */
    private final Set<String> changedDuringReload = new LinkedHashSet<>();

    /** A fetch under way; {@code again} is set when another event about its resource came meanwhile. */
    private static final class Fetch {
        final long generation;
        boolean again;

        Fetch(long generation) {
            this.generation = generation;
        }
    }

    /** One resource read in the background, with its search text. */
    private record Fetched<T>(T item, String searchText) {
    }

    /** The region's listing read in the background, with what finding and filtering its rows needs. */
    private record Indexed<T>(Listing<T> listing, Map<T, String> searchIndex, Map<String, T> rows) {
    }

    /**
     * @param source     reads the region's listing and single resources (in the background)
     * @param searchText the text of a resource the filter matches against (runs in the background too)
     */
    public ResourceListModel(ConsoleContext context, ResourceKind kind, Source<T> source,
                             Function<T, String> searchText) {
        this.context = context;
        this.kind = kind;
        this.source = source;
        this.searchText = searchText;
        filter.addListener((obs, old, text) -> refilter());
        extraFilter.addListener((obs, old, predicate) -> refilter());
        context.region().addListener(regionListener);
        subscription = context.events().on(ResourceChanged.class, event -> {
            if (event.kind() == kind && event.region().equals(context.region().get())) {
                reload(event.id());
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
        disposed = true; // whatever is still being read is dropped when it arrives
        generations++;
        changedDuringReload.clear();
        try {
            subscription.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Lists the region again. Reloads may overlap; only the newest one's answer is shown, so an older listing
     * finishing last never replaces a newer one. Reads of single resources under way are not shown when they
     * arrive: this listing starts after the events that asked for them, so it holds what they read or newer (if it
     * fails, they are read again).
     */
    public void reload() {
        String region = context.region().get();
        long generation = ++generations;
        loading.set(true);
        context.tasks().submit(() -> {
            Listing<T> listing = source.lister().apply(region);
            Map<T, String> index = new IdentityHashMap<>();
            Map<String, T> byId = new HashMap<>();
            listing.items().forEach(item -> {
                index.put(item, lowered(item));
                byId.put(source.idOf().apply(item), item);
            });
            return new Indexed<>(listing, index, byId);
        }, indexed -> {
            if (generation != generations) {
                return;
            }
            loading.set(false);
            shownGeneration = generation;
            searchIndex = indexed.searchIndex();
            rows = indexed.rows();
            items.setAll(indexed.listing().items());
            problems.setAll(indexed.listing().problems());
            failure.set("");
            fetchChangedDuringReload();
        }, error -> {
            if (generation != generations) {
                return;
            }
            loading.set(false);
            failure.set(Errors.message(error));
            fetchChangedDuringReload();
        });
    }

    /** Events that came while the listing was read may be newer than what it read: each one's resource is read. */
    private void fetchChangedDuringReload() {
        List<String> ids = new ArrayList<>(changedDuringReload);
        changedDuringReload.clear();
        ids.forEach(this::reload);
    }

    /**
     * Reads resource {@code id} again and updates its row, as an engine event about it does: replaced at the same
     * index, inserted where the listing would put it, or removed when it no longer exists. One read per id runs at
     * a time; calls meanwhile make it read once more after, so the last state is always shown and an older read is
     * never shown after a newer one. While the whole region is being listed, the read waits for that listing.
     */
    public void reload(String id) {
        if (disposed) {
            return;
        }
        if (loading.get()) {
            changedDuringReload.add(id);
            return;
        }
        Fetch running = fetches.get(id);
        if (running != null) {
            running.again = true;
            return;
        }
        Fetch fetch = new Fetch(generations);
        fetches.put(id, fetch);
        String region = context.region().get();
        context.tasks().submit(() -> source.fetcher().apply(region, id)
                .map(item -> new Fetched<>(item, lowered(item))), fetched -> finish(id, fetch, fetched, null),
                error -> finish(id, fetch, null, error));
    }

    private void finish(String id, Fetch fetch, Optional<Fetched<T>> fetched, Throwable error) {
        fetches.remove(id);
        if (disposed) {
            return;
        }
        if (fetch.generation != generations && shownGeneration <= fetch.generation) {
            reload(id); // the listings started since have not shown this resource (they failed, or are still read)
            return;
        }
        if (fetch.generation == generations) {
            if (error != null) {
                reload(); // the listing shows what one read could not: the broken document, or the failure
                return;
            }
            apply(id, fetched);
        } // else a listing that started after this read did is shown: it holds what this read, or newer
        if (fetch.again) {
            reload(id);
        }
    }

    private void apply(String id, Optional<Fetched<T>> fetched) {
        problems.removeIf(problem -> problem.id().equals(id)); // it was read, or it is gone
        T old = rows.get(id);
        int index = old == null ? -1 : indexOf(old);
        if (fetched.isEmpty()) {
            rows.remove(id);
            if (index >= 0) {
                items.remove(index);
                searchIndex.remove(old);
            }
            return;
        }
        T item = fetched.get().item();
        searchIndex.put(item, fetched.get().searchText()); // before the row arrives: the filter looks it up then
        rows.put(id, item);
        if (index >= 0) {
            items.set(index, item);
            searchIndex.remove(old);
        } else {
            int position = Collections.binarySearch(items, item, source.order());
            items.add(position >= 0 ? position : -position - 1, item);
        }
    }

    /** Where {@code row} is: found by the listing's order, or by looking through the rows if that order does not. */
    private int indexOf(T row) {
        int guess = Collections.binarySearch(items, row, source.order());
        if (guess >= 0 && items.get(guess) == row) {
            return guess;
        }
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) == row) {
                return i;
            }
        }
        return -1;
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

    /** True while the whole region is being listed (single resources read meanwhile do not count). */
    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** Why the last reload failed, or empty. */
    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }
}
