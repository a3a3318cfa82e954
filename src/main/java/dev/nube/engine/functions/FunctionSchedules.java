package dev.nube.engine.functions;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import dev.nube.engine.EngineException;
import dev.nube.engine.functions.schedules.ScheduleExpression;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Json;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The schedules of functions ({@link ScheduleService}) and the scheduler that fires them: one thread that waits, on
 * the injected {@link ScheduleTime}, for the earliest next run of the enabled schedules, then invokes each due
 * function with InvocationType Event. A run due while the thread was held up (a machine asleep) fires once, late;
 * runs due while the engine was closed are not made up for: on opening, each schedule's next run is the first after
 * now. Schedules live in {@code schedules.json} in the function's folder, written under the repository's lock while
 * the function exists, so they go when its folder goes; the scheduler forgets them when it hears the function was
 * deleted. The last {@link #KEPT_RUNS} runs of each schedule are kept in memory only.
 * <p>
 * Thread rule: {@code lock} guards the armed schedules and the runs; the repository's lock is taken before it, never
 * after, and no engine call is made while holding it (a run's invocation is made outside it).
 */
public final class FunctionSchedules implements ScheduleService, RegionScoped, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FunctionSchedules.class.getName());
    private static final Pattern NAME = Pattern.compile("[.\\-_A-Za-z0-9]{1,64}");
    /** EventBridge's limit on a target's constant input. */
    static final int MAX_INPUT_CHARS = 8192;
    private static final String FILE = "schedules.json";

    private final Functions functions;
    private final FunctionRepository repository;
    private final EventBus events;
    private final ScheduleTime time;
    private final Object lock = new Object();
    private final Map<Key, Armed> armed = new HashMap<>();
    /** Per function (region/name): fires whose invocation is being made, and the finishes heard meanwhile. */
    private final Map<String, Firing> firing = new HashMap<>();
    private final AutoCloseable subscription;
    private Thread thread;
    private boolean closed;

    /** The stored document: a function's schedules by name. */
    record Stored(List<Schedule> schedules) {
    }

    private record Key(String region, String functionId, String schedule) {
    }

    /** A schedule the scheduler holds, with its next run and last runs. Guarded by {@code lock}. */
    private static final class Armed {
        final String functionName;
        Schedule schedule;
        ScheduleExpression expression;
        Instant next;
        final Deque<ScheduleRun> runs = new ArrayDeque<>();

        Armed(String functionName) {
            this.functionName = functionName;
        }
    }

    /** Fires of one function under way, and how invocations of it that ended meanwhile went (by request id). */
    private static final class Firing {
        int count;
        final Map<String, Boolean> finished = new HashMap<>();
    }

    private record Due(Key key, String functionName, Schedule schedule, Instant time) {
    }

    public FunctionSchedules(Functions functions, ScheduleTime time) {
        this.functions = functions;
        this.repository = functions.repository();
        this.events = functions.events();
        this.time = time;
        this.subscription = events.subscribe(event -> {
            if (event instanceof ResourceChanged changed && changed.kind() == ResourceKind.FUNCTION
                    && changed.change() == ResourceChanged.Change.DELETED) {
                forget(changed.region(), changed.id());
            } else if (event instanceof FunctionEvents.InvocationFinished finished && finished.requestId() != null) {
                finished(finished);
            }
        });
    }

    /** Starts the scheduler's thread (once). */
    public void start() {
        synchronized (lock) {
            if (thread != null || closed) {
                return;
            }
            thread = new Thread(this::run, "function-schedules");
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public List<ScheduleStatus> schedules(String region, String functionName) {
        FunctionConfiguration function = functions.get(region, functionName);
        List<ScheduleStatus> list = new ArrayList<>();
        synchronized (lock) {
            armed.forEach((key, a) -> {
                if (key.region().equals(region) && key.functionId().equals(function.id())) {
                    list.add(new ScheduleStatus(a.schedule, a.next, List.copyOf(a.runs)));
                }
            });
        }
        list.sort(Comparator.comparing(s -> s.schedule().name()));
        return list;
    }

    @Override
    public Schedule putSchedule(String region, String functionName, ScheduleRequest request) {
        String name = checkName(request.name());
        ScheduleExpression expression = ScheduleExpression.parse(request.expression());
        String input = checkInput(request.input());
        Schedule schedule;
        synchronized (repository) {
            Instant now = time.clock().instant(); // read under the lock, so writes are stamped in their order
            FunctionConfiguration function = functions.get(region, functionName);
            List<Schedule> stored = new ArrayList<>(read(function));
            Instant created = stored.stream().filter(s -> s.name().equals(name)).map(Schedule::createdAt).findFirst()
                    .orElse(now);
            schedule = new Schedule(name, expression.text(), request.enabled(), input, created, now);
            stored.removeIf(s -> s.name().equals(name));
            stored.add(schedule);
            write(function, stored);
            arm(function, schedule, expression, now);
        }
        events.publish(new SchedulesChanged(region, functionName));
        return schedule;
    }

    @Override
    public Schedule setEnabled(String region, String functionName, String scheduleName, boolean enabled) {
        Schedule schedule;
        synchronized (repository) {
            Instant now = time.clock().instant();
            FunctionConfiguration function = functions.get(region, functionName);
            List<Schedule> stored = new ArrayList<>(read(function));
            Schedule old = stored.stream().filter(s -> s.name().equals(scheduleName)).findFirst()
                    .orElseThrow(() -> notFound(functionName, scheduleName));
            if (old.enabled() == enabled) {
                return old;
            }
            ScheduleExpression expression = ScheduleExpression.parse(old.expression()); // before anything is written
            schedule = old.withEnabled(enabled, now);
            stored.set(stored.indexOf(old), schedule);
            write(function, stored);
            arm(function, schedule, expression, now);
        }
        events.publish(new SchedulesChanged(region, functionName));
        return schedule;
    }

    @Override
    public void deleteSchedule(String region, String functionName, String scheduleName) {
        synchronized (repository) {
            FunctionConfiguration function = functions.get(region, functionName);
            List<Schedule> stored = new ArrayList<>(read(function));
            if (!stored.removeIf(s -> s.name().equals(scheduleName))) {
                throw notFound(functionName, scheduleName);
            }
            write(function, stored);
            synchronized (lock) {
                armed.remove(new Key(region, function.id(), scheduleName));
                lock.notifyAll();
            }
        }
        events.publish(new SchedulesChanged(region, functionName));
    }

    private static EngineException notFound(String functionName, String scheduleName) {
        return new EngineException("ResourceNotFoundException", "The function " + functionName
                + " has no schedule named '" + scheduleName + "'.");
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new EngineException(ScheduleExpression.INVALID, "Enter a name for the schedule.");
        }
        if (!NAME.matcher(name).matches()) {
            throw new EngineException(ScheduleExpression.INVALID, name.length() > 64
                    ? "A schedule name has at most 64 characters; '" + name + "' has " + name.length() + "."
                    : "A schedule name may hold only letters, digits, '.', '-' and '_'; '" + name + "' has others.");
        }
        return name;
    }

    /**
     * Null for none; else the input as given, when it is one JSON value of at most 8,192 characters. Anything after
     * the value is refused here: every run would otherwise be refused when it invokes the function.
     */
    private static String checkInput(String input) {
        if (input == null || input.isBlank()) {
            return null;
        }
        if (input.length() > MAX_INPUT_CHARS) {
            throw new EngineException(ScheduleExpression.INVALID, "The constant input has " + input.length()
                    + " characters; EventBridge allows at most " + MAX_INPUT_CHARS + ".");
        }
        try (JsonParser parser = Json.mapper().createParser(input)) {
            try {
                Json.mapper().readTree(parser);
            } catch (IOException e) {
                throw new EngineException(ScheduleExpression.INVALID, "The constant input is not valid JSON: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
            JsonLocation end = parser.currentLocation();
            boolean more;
            try {
                more = parser.nextToken() != null;
            } catch (IOException e) {
                more = true; // something that is not even JSON follows
            }
            if (more) {
                throw new EngineException(ScheduleExpression.INVALID, "The constant input has more after its JSON"
                        + " value (from line " + end.getLineNr() + ", column " + end.getColumnNr() + "); it must be"
                        + " one JSON value, such as {\"key\": \"value\"}.");
            }
        } catch (IOException e) {
            throw new IllegalStateException("a parser over a string does not fail to close", e);
        }
        return input;
    }

    private Path file(FunctionConfiguration function) {
        return repository.folder(function).resolve(FILE);
    }

    private List<Schedule> read(FunctionConfiguration function) {
        return DocumentStore.read(file(function), Stored.class).map(Stored::schedules).orElse(List.of());
    }

    private void write(FunctionConfiguration function, List<Schedule> schedules) {
        List<Schedule> sorted = new ArrayList<>(schedules);
        sorted.sort(Comparator.comparing(Schedule::name));
        DocumentStore.write(file(function), new Stored(sorted));
    }

    /** Holds {@code schedule} (its runs kept when it replaces one) with its next run after {@code now}. */
    private void arm(FunctionConfiguration function, Schedule schedule, ScheduleExpression expression, Instant now) {
        synchronized (lock) {
            Armed a = armed.computeIfAbsent(new Key(function.region(), function.id(), schedule.name()),
                    key -> new Armed(function.name()));
            a.schedule = schedule;
            a.expression = expression;
            a.next = schedule.enabled() ? expression.nextAfter(now, schedule.updatedAt()).orElse(null) : null;
            lock.notifyAll(); // the scheduler waits for the earliest run: this one may be earlier
        }
    }

    private void forget(String region, String functionId) {
        synchronized (lock) {
            armed.keySet().removeIf(key -> key.region().equals(region) && key.functionId().equals(functionId));
        }
    }

    /** Loads the schedules stored with the region's functions; their next runs are the first after now. */
    @Override
    public void regionOpened(Region region) {
        Instant now = time.clock().instant();
        for (FunctionConfiguration function : repository.list(region.name()).items()) {
            try {
                for (Schedule schedule : read(function)) {
                    arm(function, schedule, ScheduleExpression.parse(schedule.expression()), now);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "The schedules of function " + function.name() + " in " + region.name()
                        + " could not be read; they do not run: " + e.getMessage(), e);
            }
        }
    }

    /** Schedules belong to their functions, which say what a region holds. */
    @Override
    public List<String> contentsOf(Region region) {
        return List.of();
    }

    /**
     * The scheduler's loop: fire what is due, then wait for the earliest next run or a change. A pass that fails
     * unexpectedly is logged and the loop goes on after a pause, so one fault does not silently stop every schedule.
     */
    private void run() {
        while (true) {
            try {
                if (!pass()) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "The function scheduler met an unexpected error; it carries on in a second", e);
                synchronized (lock) {
                    try {
                        if (!closed) {
                            lock.wait(1000); // a fault that repeats every pass must not spin a core
                        }
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    /** One pass of the loop: waits, or fires the runs due now. False when the scheduler is closed. */
    private boolean pass() {
        List<Due> due = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return false;
            }
            Instant now = time.clock().instant();
            Instant earliest = null;
            for (Map.Entry<Key, Armed> entry : armed.entrySet()) {
                Armed a = entry.getValue();
                if (a.next != null && !a.next.isAfter(now)) {
                    due.add(new Due(entry.getKey(), a.functionName, a.schedule, a.next));
                    // after now, not after a.next: runs missed while the thread was held up fire once
                    a.next = a.expression.nextAfter(now, a.schedule.updatedAt()).orElse(null);
                }
                if (a.next != null && (earliest == null || a.next.isBefore(earliest))) {
                    earliest = a.next;
                }
            }
            if (due.isEmpty()) {
                try {
                    time.waitUntil(lock, earliest);
                } catch (InterruptedException e) {
                    return false;
                }
                return true;
            }
            for (Due d : due) {
                firing.computeIfAbsent(d.key().region() + "/" + d.functionName(), k -> new Firing()).count++;
            }
        }
        due.forEach(this::fire);
        return true;
    }

    /**
     * Invokes the function of a due schedule (outside the lock) and records the run. The function is the one the
     * schedule was made on, found by id: if it was deleted, or deleted and made again under the same name, since the
     * run fell due, it is not invoked (the new function has none of the old one's schedules). The check and the
     * invocation are made under the repository's lock, which deleting a function takes, so nothing comes between.
     */
    private void fire(Due due) {
        String region = due.key().region();
        byte[] payload = due.schedule().input() != null ? due.schedule().input().getBytes(StandardCharsets.UTF_8)
                : ScheduledEvent.json(region, due.schedule().name(), due.time());
        ScheduleRun run;
        try {
            InvocationResult accepted;
            synchronized (repository) {
                boolean same = repository.findById(region, due.key().functionId())
                        .map(f -> f.name().equals(due.functionName())).orElse(false)
                        && repository.find(region, due.functionName())
                                .map(f -> f.id().equals(due.key().functionId())).orElse(false);
                if (!same) {
                    throw new EngineException("ResourceNotFoundException", "The function " + due.functionName()
                            + " this schedule was made on was deleted.");
                }
                accepted = functions.invoke(region, due.functionName(),
                        new InvokeRequest(null, InvocationType.EVENT, payload, null, false));
            }
            run = new ScheduleRun(due.time(), accepted.requestId(), ScheduleRun.Outcome.INVOKED, null);
        } catch (RuntimeException e) {
            if (!(e instanceof EngineException)) {
                LOG.log(Level.WARNING, "Schedule " + due.schedule().name() + " of " + due.functionName()
                        + " could not invoke it", e);
            }
            run = new ScheduleRun(due.time(), null, ScheduleRun.Outcome.NOT_INVOKED, e.getMessage());
        }
        synchronized (lock) {
            String function = region + "/" + due.functionName();
            Firing f = firing.get(function);
            Boolean error = f.finished.get(run.requestId());
            if (error != null) { // the function was quicker than this thread
                run = run.finished(error);
            }
            if (--f.count == 0) {
                firing.remove(function);
            }
            Armed a = armed.get(due.key());
            if (a != null) {
                a.runs.addFirst(run);
                while (a.runs.size() > KEPT_RUNS) {
                    a.runs.removeLast();
                }
            }
        }
        events.publish(new SchedulesChanged(region, due.functionName()));
    }

    /** Marks the run of {@code finished}'s request, if a schedule made it, as succeeded or failed. */
    private void finished(FunctionEvents.InvocationFinished finished) {
        boolean found = false;
        synchronized (lock) {
            for (Armed a : armed.values()) {
                if (!a.functionName.equals(finished.functionName())) {
                    continue;
                }
                for (ScheduleRun run : List.copyOf(a.runs)) {
                    if (finished.requestId().equals(run.requestId())) {
                        List<ScheduleRun> runs = new ArrayList<>(a.runs);
                        runs.set(runs.indexOf(run), run.finished(finished.error()));
                        a.runs.clear();
                        a.runs.addAll(runs);
                        found = true;
                    }
                }
            }
            Firing f = firing.get(finished.region() + "/" + finished.functionName());
            if (!found && f != null) {
                f.finished.put(finished.requestId(), finished.error());
            }
        }
        if (found) {
            events.publish(new SchedulesChanged(finished.region(), finished.functionName()));
        }
    }

    /** Stops the scheduler's thread; schedules stay stored and run again when an engine opens them. */
    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            closed = true;
            running = thread;
            lock.notifyAll();
        }
        try {
            subscription.close();
        } catch (Exception e) {
            // an event bus subscription's close does not fail
        }
        if (running != null) {
            try {
                running.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
