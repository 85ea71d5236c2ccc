package dev.fuseml.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.broker.BrokerObserver;
import dev.fuseml.eventing.broker.Trigger;
import dev.fuseml.FusemlConfig;
import dev.fuseml.step.RunRef;
import dev.fuseml.state.JsonFiles;
import io.cloudevents.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records, for each run, every event the broker accepted, the triggers it matched and every delivery attempt with
 * its status and latency ({@code runs/RUN.events.jsonl}), so that {@code fuseml events RUN} shows where a chain went
 * and where it stopped.
 */
@ApplicationScoped
public class EventTrace implements BrokerObserver {
    /** One line of the trace. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String kind, Instant at, String id, String type, String source, List<String> triggers,
            String trigger, Integer attempt, Integer status, Long latencyMs, Boolean retried) {
    }

    /** A delivery attempt, as the API shows it. */
    public record Attempt(String trigger, int attempt, int status, long latencyMs, Instant at, boolean retried) {
    }

    /** An event of the run with what became of it. */
    public record TracedEvent(String id, String type, String source, Instant accepted, List<String> triggers,
            List<Attempt> attempts, List<String> deadLettered) {
    }

    private final Path dir;

    public EventTrace(FusemlConfig config) {
        this.dir = config.dataDir().resolve("runs");
    }

    @Override
    public void accepted(String namespace, CloudEvent event, List<String> triggers) {
        append(event, new Entry("accepted", Instant.now(), event.getId(), event.getType(),
                event.getSource().toString(), triggers, null, null, null, null, null));
    }

    @Override
    public void attempted(String namespace, CloudEvent event, Trigger trigger, int attempt, int status,
            Duration latency, boolean retried) {
        append(event, new Entry("attempt", Instant.now(), event.getId(), event.getType(), null, null,
                trigger.name(), attempt, status, latency.toMillis(), retried));
    }

    @Override
    public void hopLimitReached(String namespace, CloudEvent event, Trigger trigger) {
        append(event, new Entry("hop-limit", Instant.now(), event.getId(), event.getType(), null, null,
                trigger.name(), null, null, null, null));
    }

    @Override
    public void deadLettered(String namespace, CloudEvent event, Trigger trigger, int status) {
        append(event, new Entry("dead-letter", Instant.now(), event.getId(), event.getType(), null, null,
                trigger.name(), null, status, null, null));
    }

    /** The run's events in the order the broker accepted them. */
    public List<TracedEvent> events(String run) {
        Path file = file(run);
        Map<String, TracedEvent> events = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Entry e = JsonFiles.MAPPER.readValue(line, Entry.class);
                switch (e.kind()) {
                    case "accepted" -> events.put(e.id(), new TracedEvent(e.id(), e.type(), e.source(), e.at(),
                            e.triggers(), new ArrayList<>(), new ArrayList<>()));
                    case "attempt" -> {
                        TracedEvent t = events.get(e.id());
                        if (t != null) {
                            t.attempts().add(new Attempt(e.trigger(), e.attempt(), e.status(), e.latencyMs(), e.at(),
                                    Boolean.TRUE.equals(e.retried())));
                        }
                    }
                    default -> {
                        TracedEvent t = events.get(e.id());
                        if (t != null) {
                            t.deadLettered().add("hop-limit".equals(e.kind())
                                    ? e.trigger() + " (hop limit knativebrokerttl reached: a trigger loops)"
                                    : e.trigger());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the event trace of run " + run, e);
        }
        return List.copyOf(events.values());
    }

    /** Where the chain of events ended, in words. */
    public static String stoppedAt(List<TracedEvent> events) {
        for (TracedEvent e : events) {
            if (!e.deadLettered().isEmpty()) {
                Attempt last = e.attempts().isEmpty() ? null : e.attempts().get(e.attempts().size() - 1);
                return "event " + e.type() + " (" + e.id() + ") could not be delivered to " + e.deadLettered()
                        + (last == null ? "" : ", last status " + last.status());
            }
        }
        if (events.isEmpty()) {
            return "no event of this run reached the broker";
        }
        TracedEvent last = events.get(events.size() - 1);
        if (last.triggers().isEmpty()) {
            return "event " + last.type() + " (" + last.id() + ") matched no trigger: the chain ends there";
        }
        boolean pending = last.triggers().stream().anyMatch(t -> last.attempts().stream()
                .noneMatch(a -> a.trigger().equals(t) && a.status() / 100 == 2));
        return (pending ? "waiting: event " + last.type() + " is being delivered to "
                : "last event " + last.type() + " was delivered to ") + last.triggers();
    }

    private void append(CloudEvent event, Entry entry) {
        Object run = event.getExtension(FusemlEvents.EXT_RUN);
        if (run == null || !RunRef.validId(run.toString())) {
            return;
        }
        try {
            Path file = file(run.toString());
            Files.createDirectories(file.getParent());
            synchronized (this) {
                Files.writeString(file, JsonFiles.MAPPER.writeValueAsString(entry) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            System.getLogger(EventTrace.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot record event " + event.getId() + " of run " + run, e);
        }
    }

    private Path file(String run) {
        return dir.resolve(run + ".events.jsonl");
    }
}
