package dev.fuseml.mock;

import dev.fuseml.train.Trainer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the trainings it is asked for; {@link #onTrain} answers them (by default: a model with an rmse). */
public class FakeTrainer implements Trainer {
    public final List<TrainingJob> jobs = new CopyOnWriteArrayList<>();
    public volatile Hook<TrainingJob, Optional<TrainedModel>> onTrain = job -> Optional.of(
            new TrainedModel(job.modelUri(), Map.of("rmse", 0.7)));

    @Override
    public Optional<TrainedModel> train(TrainingJob job) throws Exception {
        jobs.add(job);
        return onTrain.apply(job);
    }
}
