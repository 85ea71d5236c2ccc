package dev.fuseml.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.app.AppStore;
import dev.fuseml.registry.local.DirectoryModelStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.RunRef;
import io.cloudevents.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * Runs and apps as a projection of the chain's events: the control plane subscribes to them with an ordinary
 * trigger, as any platform team's function would, and keeps what {@code fuseml runs}, {@code apps} and
 * {@code logs} show. Steps never write these records; applying an event twice changes nothing.
 */
@ApplicationScoped
public class RunProjection {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RunProjection.class);
    /** The step whose success each event of the chain announces. */

    private final RunStore runs;
    private final AppStore apps;
    private final RunLog log;
    private final DirectoryModelStore models;

    public RunProjection(RunStore runs, AppStore apps, RunLog log, DirectoryModelStore models) {
        this.runs = runs;
        this.apps = apps;
        this.log = log;
        this.models = models;
    }

    /** Applies an event; events outside any run, or of types it does not know, change nothing. */
    public void apply(CloudEvent event) {
        RunRef ref;
        try {
            ref = RunRef.of(extensions(event));
        } catch (IllegalArgumentException notARun) {
            return;
        }
        if (!ownRun(ref)) {
            return;
        }
        JsonNode data = data(event);
        Instant at = event.getTime() != null ? event.getTime().toInstant() : Instant.now();
        String type = event.getType();
        if (FusemlEvents.PUSH.equals(type)) {
            runs.update(ref.run(), () -> Run.start(ref.run(), ref.org(), ref.app()), run -> run);
            apps.ensure(ref.org(), ref.app());
            String repository = data.path("repository").asText(null);
            apps.update(ref.org(), ref.app(), app -> app.withCodeset(repository));
            return;
        }
        if (FusemlEvents.FAILED.equals(type)) {
            fail(ref, data.path("step").asText("unknown"), data.path("cause").asText(""),
                    data.path("logExcerpt").asText(""));
            return;
        }
        String step = dev.fuseml.eventing.Steps.emitting(type).map(dev.fuseml.eventing.Steps.Step::name)
                .orElse(null);
        if (step == null) {
            return;
        }
        runs.update(ref.run(), () -> Run.start(ref.run(), ref.org(), ref.app()), run -> {
            Run updated = run.withStep(run.stepOrNew(step, at).finished(Step.SUCCEEDED, at));
            if (FusemlEvents.RECEIVED.equals(type)) {
                updated = updated.withCode(data.path("commit").asText(null), JsonFiles.MAPPER.convertValue(
                        data.path("params"), JsonFiles.MAPPER.getTypeFactory().constructMapType(Map.class,
                                String.class, String.class)));
            }
            if (FusemlEvents.TRAINED.equals(type)) {
                updated = updated.withTraining(JsonFiles.MAPPER.convertValue(data.path("params"),
                        JsonFiles.MAPPER.getTypeFactory().constructMapType(Map.class, String.class, String.class)),
                        JsonFiles.MAPPER.convertValue(data.path("metrics"), JsonFiles.MAPPER.getTypeFactory()
                                .constructMapType(Map.class, String.class, Double.class)));
            }
            if (FusemlEvents.SERVED.equals(type) && !updated.finished()) {
                updated = updated.succeeded(data.path("version").asInt(), data.path("url").asText());
            }
            return updated;
        });
        if (FusemlEvents.SERVED.equals(type)) {
            String url = data.path("url").asText();
            int version = data.path("version").asInt();
            apps.ensure(ref.org(), ref.app());
            Integer previous = apps.get(ref.org(), ref.app()).map(dev.fuseml.app.App::version).orElse(null);
            apps.update(ref.org(), ref.app(), app -> app.serving(version, url, port(url)).withLastRun(ref.run()));
            if (previous != null) {
                models.servedInsteadOf(ref.org(), ref.app(), version, previous);
            }
            log.note(ref.run(), "run", "succeeded: version " + version + " serves at " + url);
        }
    }

    /** A step has been claimed: it shows as running from now. */
    public void stepStarted(RunRef ref, String step, Instant at) {
        if (!ownRun(ref)) {
            return;
        }
        runs.update(ref.run(), () -> Run.start(ref.run(), ref.org(), ref.app()), run -> {
            Step current = run.step(step).orElse(null);
            if (current != null && !current.running()) {
                return run.withStep(new Step(step, Step.RUNNING, at, null));
            }
            return current == null ? run.withStep(new Step(step, Step.RUNNING, at, null)) : run;
        });
    }

    /** Marks the run failed at {@code step}; also used for events the broker could not deliver at all. */
    public void fail(RunRef ref, String step, String cause, String excerpt) {
        if (!ownRun(ref)) {
            return;
        }
        Instant now = Instant.now();
        runs.update(ref.run(), () -> Run.start(ref.run(), ref.org(), ref.app()), run -> {
            if (run.finished()) {
                return run;
            }
            Run updated = run.step(step).map(s -> run.withStep(s.finished(Step.FAILED, now))).orElse(run);
            return updated.failed(step, cause, excerpt);
        });
        apps.ensure(ref.org(), ref.app());
        apps.update(ref.org(), ref.app(), app -> app.withLastRun(ref.run()).failedRun());
        log.note(ref.run(), "run", "failed at " + step + ": " + cause);
    }

    /**
     * Whether {@code ref} is the run its id names (or a new one): run ids are global, so an event of one org that
     * names another org's run id must not change that run.
     */
    public boolean ownRun(RunRef ref) {
        boolean own = runs.get(ref.run()).map(r -> r.org().equals(ref.org()) && r.app().equals(ref.app()))
                .orElse(true);
        if (!own) {
            LOG.warnf("an event of %s/%s names run %s, which is another app's: ignored", ref.org(), ref.app(),
                    ref.run());
        }
        return own;
    }

    private static Map<String, String> extensions(CloudEvent event) {
        Map<String, String> ext = new java.util.HashMap<>();
        for (String name : event.getExtensionNames()) {
            Object value = event.getExtension(name);
            if (value != null) {
                ext.put(name, value.toString());
            }
        }
        return ext;
    }

    private static JsonNode data(CloudEvent event) {
        if (event.getData() == null) {
            return JsonFiles.MAPPER.createObjectNode();
        }
        try {
            JsonNode node = JsonFiles.MAPPER.readTree(event.getData().toBytes());
            return node == null ? JsonFiles.MAPPER.createObjectNode() : node;
        } catch (IOException e) {
            return JsonFiles.MAPPER.createObjectNode();
        }
    }

    private static int port(String url) {
        try {
            return URI.create(url).getPort();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }
}
