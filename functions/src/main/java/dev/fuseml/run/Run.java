package dev.fuseml.run;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run: one push of an app's code going through the chain.
 *
 * @param params  the entry point's parameters; once trained, with those the code logged through MLflow
 * @param metrics what the training reported (the last value of each metric it logged), once trained
 */
public record Run(String id, String org, String app, String status, String commit, Map<String, String> params,
        Instant created, Instant ended, List<Step> steps, String failedStep, String cause, String logExcerpt,
        Integer version, String url, long revision, Map<String, Double> metrics) {
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public static Run start(String id, String org, String app) {
        return new Run(id, org, app, RUNNING, null, Map.of(), Instant.now(), null, List.of(), null, null, null,
                null, null, 0, Map.of());
    }

    public Optional<Step> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public boolean finished() {
        return !RUNNING.equals(status);
    }

    /** The next revision: followers wait for a revision higher than the one they have. */
    public Run revised() {
        return new Run(id, org, app, status, commit, params, created, ended, steps, failedStep, cause, logExcerpt,
                version, url, revision + 1, metrics);
    }

    public Run withStep(Step step) {
        List<Step> updated = new ArrayList<>(steps);
        updated.removeIf(s -> s.name().equals(step.name()));
        updated.add(step);
        return new Run(id, org, app, status, commit, params, created, ended, List.copyOf(updated), failedStep, cause,
                logExcerpt, version, url, revision, metrics);
    }

    public Run withCode(String commitId, Map<String, String> parameters) {
        return new Run(id, org, app, status, commitId, parameters == null ? Map.of() : Map.copyOf(parameters),
                created, ended, steps, failedStep, cause, logExcerpt, version, url, revision, metrics);
    }

    /** What the training reported: its params (given and logged) and its metrics. */
    public Run withTraining(Map<String, String> parameters, Map<String, Double> reported) {
        return new Run(id, org, app, status, commit, parameters == null ? params : Map.copyOf(parameters), created,
                ended, steps, failedStep, cause, logExcerpt, version, url, revision,
                reported == null ? Map.of() : Map.copyOf(reported));
    }

    /** The step named {@code name}, or a new running one. */
    public Step stepOrNew(String name, Instant started) {
        return step(name).orElse(new Step(name, Step.RUNNING, started, null));
    }

    public Run succeeded(int servedVersion, String servedUrl) {
        return new Run(id, org, app, SUCCEEDED, commit, params, created, Instant.now(), steps, null, null, null,
                servedVersion, servedUrl, revision, metrics);
    }

    public Run failed(String step, String why, String excerpt) {
        return new Run(id, org, app, FAILED, commit, params, created, Instant.now(), steps, step, why, excerpt,
                version, url, revision, metrics);
    }
}
