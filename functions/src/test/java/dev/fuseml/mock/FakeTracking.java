package dev.fuseml.mock;

import dev.fuseml.step.RunRef;
import dev.fuseml.train.Tracking;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The control plane's tracking, in memory: each run's MLflow run has the run's id in experiment 7. */
public class FakeTracking implements Tracking {
    /** What {@link #end} answers (a test sets it: a model, params, metrics). */
    public volatile Ended ended = new Ended(Optional.empty(), Map.of(), Map.of());
    public final List<RunRef> started = new CopyOnWriteArrayList<>();
    public final List<String> endings = new CopyOnWriteArrayList<>();

    @Override
    public Started start(RunRef run) {
        started.add(run);
        return new Started("http://control-plane.test", "7", run.run());
    }

    @Override
    public Ended end(RunRef run, boolean succeeded, boolean adoptModel, String modelName) {
        endings.add(run.run() + (succeeded ? " FINISHED" : " FAILED") + (adoptModel ? " adopt " + modelName : ""));
        return ended;
    }
}
