package dev.fuseml.train.kubernetes;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Failed;
import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.run.Run;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.run.Step;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.RunRef;
import dev.fuseml.train.TrainingWatch;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The training Jobs of runs still in training, read with fabric8: a Job that failed without its runner posting
 * {@code failed} (killed, out of memory, past its deadline, its code never fetched), a pod that cannot start (its
 * image cannot be pulled), or a Job that is gone, fails its run with the cause, and the pod's log goes into the run's
 * log, so that {@code fuseml logs} shows why. The runner's own report always comes first: a failed Job is reported
 * only after {@code grace}, in which the runner's {@code failed} (already on its way) ends the run itself.
 */
public class TrainingJobWatch implements TrainingWatch {
    /** Waiting reasons that do not pass by themselves: the pod will never run. */
    static final Set<String> STUCK = Set.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");
    static final int LOG_LINES = 200;
    private static final int EXCERPT_LINES = 30;
    private static final System.Logger LOG = System.getLogger(TrainingJobWatch.class.getName());

    private final Cluster cluster;
    private final RunStore runs;
    private final RunLog log;
    private final EventSink sink;
    private final Clock clock;
    private final Duration grace;
    /** Runs reported failed, until the run projection shows it (a sweep meanwhile must not report again). */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /**
     * @param grace how long a failed Job's runner, a stuck pod or a missing Job gets before the run is failed here
     */
    public TrainingJobWatch(Cluster cluster, RunStore runs, RunLog log, EventSink sink, Clock clock,
            Duration grace) {
        this.cluster = cluster;
        this.runs = runs;
        this.log = log;
        this.sink = sink;
        this.clock = clock;
        this.grace = grace;
    }

    @Override
    public void sweep() {
        for (Run run : runs.list(null, null)) {
            if (run.finished()) {
                reported.remove(run.id());
                continue;
            }
            Optional<Step> training = run.step(TrainingJobs.STEP).filter(s -> Run.RUNNING.equals(s.status()));
            if (training.isPresent() && !reported.contains(run.id())) {
                try {
                    check(run, training.get());
                } catch (KubernetesClientException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot look at the training Job of run " + run.id()
                            + ": " + e.getMessage());
                }
            }
        }
    }

    private void check(Run run, Step step) {
        String namespace = run.org();
        String name = TrainingJobs.jobName(run.id());
        Instant now = clock.instant();
        Optional<Job> job = cluster.job(namespace, name);
        if (job.isEmpty()) {
            if (step.started() != null && now.isAfter(step.started().plus(grace).plus(grace))) {
                fail(run, "the training Job " + namespace + "/" + name + " does not exist (deleted, or never made): "
                        + "push again", "");
            }
            return;
        }
        if (Cluster.failed(job.get())) {
            Instant failedAt = Cluster.failedAt(job.get()).orElse(now);
            if (now.isAfter(failedAt.plus(grace))) {
                fail(run, "the training Job " + namespace + "/" + name + " failed (" + Cluster.failure(job.get())
                        + ") without reporting: its pod's log is in fuseml logs", tail(namespace, name));
            }
            return;
        }
        if (Cluster.complete(job.get())) {
            return; // its runner posted trained (or failed): the event is on its way
        }
        for (Pod pod : cluster.pods(namespace, name)) {
            Optional<ContainerStateWaiting> stuck = waiting(pod).filter(w -> STUCK.contains(w.getReason()))
                    .findFirst();
            Instant created = pod.getMetadata().getCreationTimestamp() == null ? now
                    : Instant.parse(pod.getMetadata().getCreationTimestamp());
            if (stuck.isPresent() && now.isAfter(created.plus(grace))) {
                // it would wait until the Job's deadline for nothing: stop it, and say why
                cluster.client().batch().v1().jobs().inNamespace(namespace).withName(name).delete();
                fail(run, "the training pod " + pod.getMetadata().getName() + " cannot start: "
                        + stuck.get().getReason() + (stuck.get().getMessage() == null ? ""
                        : " (" + stuck.get().getMessage() + ")") + "; is the image in the registry the nodes "
                        + "pull from (FUSEML_KUBERNETES_REGISTRY)?", "");
                return;
            }
        }
    }

    private void fail(Run run, String cause, String excerpt) {
        if (!excerpt.isBlank()) {
            log.appendText(run.id(), "[train] the training pod's log (last " + LOG_LINES + " lines):\n"
                    + cluster.logTail(run.org(), TrainingJobs.jobName(run.id()), LOG_LINES));
        }
        log.note(run.id(), TrainingJobs.STEP, cause);
        sink.emit(new RunRef(run.org(), run.app(), run.id()), "fuseml/control-plane", FusemlEvents.FAILED,
                new Failed(TrainingJobs.STEP, cause, excerpt));
        reported.add(run.id());
    }

    private String tail(String namespace, String name) {
        String all = cluster.logTail(namespace, name, EXCERPT_LINES);
        return all.length() > 4000 ? all.substring(all.length() - 4000) : all;
    }

    private static Stream<ContainerStateWaiting> waiting(Pod pod) {
        if (pod.getStatus() == null) {
            return Stream.empty();
        }
        return Stream.concat(statuses(pod.getStatus().getInitContainerStatuses()),
                        statuses(pod.getStatus().getContainerStatuses()))
                .filter(s -> s.getState() != null && s.getState().getWaiting() != null)
                .map(s -> s.getState().getWaiting());
    }

    private static Stream<ContainerStatus> statuses(List<ContainerStatus> statuses) {
        return statuses == null ? Stream.empty() : statuses.stream();
    }
}
