package dev.fuseml.mlflow;

import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model a training logged through MLflow, taken as its FuseML model: the one MLproject names
 * ({@code serving.model}), or the only one it logged. MLflow 2.x clients log a model as a directory of the run's
 * artifacts ({@code runs/log-model}), MLflow 3.x as a LoggedModel with artifacts of its own; either is copied to
 * {@code fuseml-artifacts:/ORG/APP/RUN/model}, where the registry and serving find every model.
 */
final class RunModels {
    /** The run's models are not what the train step can serve: the message says why and what to change. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    /** A logged model: its name, its artifact, and its directory in the artifact ("" for all of it). */
    record Logged(String name, ArtifactUri artifact, String directory) {
    }

    private final TrackingStore store;
    private final ArtifactStorage files;

    RunModels(TrackingStore store, ArtifactStorage files) {
        this.store = store;
        this.files = files;
    }

    /** What the run logged, by name; a LoggedModel shadows an MLflow 2.x model directory of the same name. */
    List<Logged> logged(TrackedRun run) {
        Map<String, Logged> byName = new LinkedHashMap<>();
        for (String path : run.models()) {
            byName.put(path, new Logged(path, new ArtifactUri(run.org(), run.slot(), run.id(),
                    TrackingStore.ARTIFACTS), path));
        }
        for (LoggedModel m : store.modelsOf(run.id())) {
            if (LoggedModel.READY.equals(m.status())) {
                byName.put(m.name(), new Logged(m.name(), new ArtifactUri(m.org(), m.slot(), m.id(),
                        TrackingStore.ARTIFACTS), ""));
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** Copies the chosen model to {@code target}, replacing what was there; returns the target. */
    ArtifactUri adopt(TrackedRun run, String name, ArtifactUri target) throws IOException {
        List<Logged> logged = logged(run);
        List<String> names = logged.stream().map(Logged::name).toList();
        Logged chosen;
        if (name != null && !name.isBlank()) {
            chosen = logged.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() -> new Refused(
                    "MLproject's serving.model names '" + name + "', but the run logged " + (names.isEmpty()
                            ? "no model" : "only " + names) + " through MLflow"));
        } else if (logged.size() == 1) {
            chosen = logged.get(0);
        } else if (logged.isEmpty()) {
            throw new Refused("the training wrote no model: log one with MLflow (mlflow.sklearn.log_model(model, "
                    + "\"model\")) or write an MLflow model directory to $FUSEML_MODEL_DIR");
        } else {
            throw new Refused("the training logged " + logged.size() + " models " + names + ": name the one to "
                    + "serve in MLproject, as serving: {model: NAME}");
        }
        String prefix = chosen.directory().isEmpty() ? "" : chosen.directory() + "/";
        List<ArtifactStorage.FileInfo> all = files.list(chosen.artifact()).stream()
                .filter(f -> f.path().startsWith(prefix)).toList();
        if (all.isEmpty()) {
            throw new Refused("model '" + chosen.name() + "' was logged, but none of its files were uploaded to "
                    + "the run's artifacts");
        }
        files.delete(target);
        for (ArtifactStorage.FileInfo f : all) {
            try (InputStream in = files.read(chosen.artifact(), f.path()).orElseThrow()) {
                files.write(target, f.path().substring(prefix.length()), in);
            }
        }
        return target;
    }
}
