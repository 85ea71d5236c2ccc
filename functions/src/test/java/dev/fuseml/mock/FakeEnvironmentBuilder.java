package dev.fuseml.mock;

import dev.fuseml.build.EnvironmentBuilder;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the builds it is asked for; {@link #onBuild} answers them (a test sets it to fail one, say). */
public class FakeEnvironmentBuilder implements EnvironmentBuilder {
    public final List<BuildJob> jobs = new CopyOnWriteArrayList<>();
    public volatile Hook<BuildJob, String> onBuild = job -> "venv:" + job.ref().org() + "/0123456789abcdef";

    @Override
    public String build(BuildJob job) throws Exception {
        jobs.add(job);
        return onBuild.apply(job);
    }
}
