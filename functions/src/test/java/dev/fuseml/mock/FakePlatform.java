package dev.fuseml.mock;

import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.serving.Deployer;
import dev.fuseml.train.Trainer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Fakes of the platform interfaces a step delegates its work to, recording the jobs they get. */
public final class FakePlatform {
    private FakePlatform() {
    }

    public static class Builder implements EnvironmentBuilder {
        public final List<BuildJob> jobs = new CopyOnWriteArrayList<>();

        @Override
        public String build(BuildJob job) {
            jobs.add(job);
            return "venv:workspace/0123456789abcdef";
        }
    }

    public static class FakeTrainer implements Trainer {
        public final List<TrainingJob> jobs = new CopyOnWriteArrayList<>();

        @Override
        public java.util.Optional<TrainedModel> train(TrainingJob job) {
            jobs.add(job);
            return java.util.Optional.of(new TrainedModel(job.modelUri(), Map.of("rmse", 0.7)));
        }
    }

    public static class FakeDeployer implements Deployer {
        public final List<ServeRequest> deployed = new CopyOnWriteArrayList<>();
        public final List<String> removed = new CopyOnWriteArrayList<>();

        @Override
        public Deployment deploy(ServeRequest request) {
            deployed.add(request);
            return new Deployment("http://127.0.0.1:9/v2/models/" + request.app() + "/infer");
        }

        @Override
        public void remove(String org, String app) {
            removed.add(org + "/" + app);
        }

        public final java.util.Map<String, String> protectedApps = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void protect(String org, String app, String tokenSha256) {
            if (tokenSha256 == null) {
                protectedApps.remove(org + "/" + app);
            } else {
                protectedApps.put(org + "/" + app, tokenSha256);
            }
        }
    }
}
