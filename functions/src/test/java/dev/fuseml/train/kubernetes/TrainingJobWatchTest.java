package dev.fuseml.train.kubernetes;

import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.testing.RbacRules;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.mock.FakeEventSink;
import dev.fuseml.run.Run;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.run.Step;
import dev.fuseml.testing.SettableClock;
import dev.fuseml.testing.TestConfig;
import dev.fuseml.train.kubernetes.TrainingJobWatch;
import dev.fuseml.train.kubernetes.TrainingJobs;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs whose training Job can never report, against fabric8's mock API server: each ends failed with the cause (and
 * the pod's log in the run's log), once; a Job that trains, or whose runner reports in time, is left alone; and the
 * control plane's ClusterRole for it allows exactly what the watch asks.
 */
@EnableKubernetesMockClient(crud = true)
class TrainingJobWatchTest {
    private static final Duration GRACE = Duration.ofMinutes(2);
    KubernetesClient client;
    KubernetesMockServer server;
    @TempDir
    Path dir;
    private final FakeEventSink sink = new FakeEventSink();
    private RunStore runs;
    private RunLog log;
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-27T10:00:00Z"));

    @BeforeEach
    void stores() {
        runs = new RunStore(new TestConfig(dir));
        log = new RunLog(runs);
    }

    private TrainingJobWatch watch() {
        return new TrainingJobWatch(new Cluster(client), runs, log, sink, clock, GRACE);
    }

    /** A run of app wine whose train step started at {@code clock.instant()}. */
    private String training(String id) {
        runs.update(id, () -> Run.start(id, "workspace", "wine"), r -> r.withStep(new Step("train", Run.RUNNING,
                clock.instant(), null)));
        return id;
    }

    private Job job(String run) {
        return client.batch().v1().jobs().inNamespace("workspace").resource(new JobBuilder().withNewMetadata()
                .withName(TrainingJobs.jobName(run)).withNamespace("workspace").endMetadata().withNewSpec()
                .withNewTemplate().withNewSpec().addNewContainer().withName("train").withImage("img").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    private void failJob(Job job, Instant at) {
        job.setStatus(new JobStatusBuilder().addNewCondition().withType("Failed").withStatus("True")
                .withReason("DeadlineExceeded").withMessage("Job was active longer than specified deadline")
                .withLastTransitionTime(at.toString()).endCondition().build());
        client.batch().v1().jobs().inNamespace("workspace").resource(job).updateStatus();
    }

    private void pod(String run, String name) {
        client.pods().inNamespace("workspace").resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace("workspace").addToLabels("job-name", TrainingJobs.jobName(run)).endMetadata().build())
                .create();
    }

    @Test
    void aFailedJobWhoseRunnerNeverReportedFailsItsRunAfterTheGraceOnceWithItsPodsLog() {
        String run = training("wine-1");
        failJob(job(run), clock.instant());
        pod(run, "fuseml-train-wine-1-xyz");
        server.expect().get().withPath("/api/v1/namespaces/workspace/pods/fuseml-train-wine-1-xyz/log?pretty=false"
                + "&tailLines=30").andReturn(200, "Epoch 3\nKilled\n").always();
        server.expect().get().withPath("/api/v1/namespaces/workspace/pods/fuseml-train-wine-1-xyz/log?pretty=false"
                + "&tailLines=200").andReturn(200, "Epoch 1\nEpoch 2\nEpoch 3\nKilled\n").always();
        TrainingJobWatch watch = watch();

        watch.sweep();
        assertThat(sink.emitted).as("the runner's own failed may still be on its way").isEmpty();

        clock.set(clock.instant().plus(GRACE).plusSeconds(1));
        watch.sweep();
        watch.sweep();

        assertThat(sink.emitted).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(FusemlEvents.FAILED);
            assertThat(e.run()).isEqualTo(run);
            assertThat(e.data().path("step").asText()).isEqualTo("train");
            assertThat(e.data().path("cause").asText()).contains("fuseml-train-wine-1 failed (DeadlineExceeded");
        });
        assertThat(sink.emitted.get(0).data().path("logExcerpt").asText()).isEqualTo("Epoch 3\nKilled\n");
        assertThat(log.read(run)).contains("fuseml-train-wine-1 failed", "the training pod's log", "Epoch 1",
                "Killed");
    }

    @Test
    void aPodThatCannotPullItsImageStopsItsJobAndFailsTheRunNamingTheReason() {
        String run = training("wine-2");
        job(run);
        client.pods().inNamespace("workspace").resource(new PodBuilder().withNewMetadata()
                .withName("fuseml-train-wine-2-abcde").withNamespace("workspace")
                .addToLabels("job-name", TrainingJobs.jobName(run)).endMetadata().withNewStatus()
                .addNewContainerStatus().withName("train").withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"registry.example/env:abc\"").endWaiting().endState()
                .endContainerStatus().endStatus().build()).create();
        TrainingJobWatch watch = watch();
        watch.sweep();
        assertThat(sink.emitted).as("a pull may still succeed").isEmpty();

        clock.set(Instant.now().plus(GRACE).plusSeconds(5)); // the mock stamps the pod's creation with its own clock
        watch.sweep();

        assertThat(sink.emitted).singleElement().satisfies(e -> assertThat(e.data().path("cause").asText())
                .contains("cannot start: ImagePullBackOff", "registry.example/env:abc", "FUSEML_KUBERNETES_REGISTRY"));
        assertThat(client.batch().v1().jobs().inNamespace("workspace").withName(TrainingJobs.jobName(run)).get())
                .as("stopped rather than left waiting for its deadline").isNull();
    }

    @Test
    void aJobThatIsGoneFailsItsRunAndOneThatTrainsOrReportedIsLeftAlone() {
        String gone = training("wine-3");
        String trains = training("wine-4");
        job(trains);
        String done = training("wine-5");
        Job complete = job(done);
        complete.setStatus(new JobStatusBuilder().addNewCondition().withType("Complete").withStatus("True")
                .endCondition().build());
        client.batch().v1().jobs().inNamespace("workspace").resource(complete).updateStatus();

        clock.set(clock.instant().plus(GRACE.multipliedBy(2)).plusSeconds(1));
        watch().sweep();

        assertThat(sink.emitted).singleElement().satisfies(e -> {
            assertThat(e.run()).isEqualTo(gone);
            assertThat(e.data().path("cause").asText()).contains("does not exist");
        });
    }

    @Test
    void theControlPlanesRoleForItAllowsExactlyWhatTheWatchAsks() throws Exception {
        training("wine-6");
        failJob(job("wine-6"), clock.instant());
        pod("wine-6", "p6");
        String stuck = training("wine-7");
        job(stuck);
        client.pods().inNamespace("workspace").resource(new PodBuilder().withNewMetadata().withName("p")
                .withNamespace("workspace").addToLabels("job-name", TrainingJobs.jobName(stuck)).endMetadata()
                .withNewStatus().addNewContainerStatus().withName("train").withNewState().withNewWaiting()
                .withReason("ErrImagePull").endWaiting().endState().endContainerStatus().endStatus().build()).create();
        RbacRules.drain(server); // what the test did as the cluster would
        clock.set(Instant.now().plus(GRACE.multipliedBy(3)));

        watch().sweep();

        assertThat(sink.emitted).hasSize(2);
        RbacRules.read(Path.of("..", "config", "10-serviceaccount.yaml"), Set.of("fuseml-training-watch"))
                .assertAllowsExactly(RbacRules.drain(server));
    }
}
