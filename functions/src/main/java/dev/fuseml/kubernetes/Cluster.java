package dev.fuseml.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the kubernetes platform's steps do with the API server, in one place: the objects FuseML owns carry its
 * labels; each app has an anchor (a ConfigMap) that owns the app's Jobs and its served Service, so that deleting
 * the app deletes them all through Kubernetes' garbage collector; Jobs are awaited and their pods' logs read.
 */
public class Cluster {
    public static final String PART_OF = Labels.PART_OF;
    public static final String APP_LABEL = "fuseml.dev/app";
    public static final String RUN_LABEL = "fuseml.dev/run";
    public static final String STEP_LABEL = "fuseml.dev/step";
    /** The ConfigMap with the scripts and Dockerfile every org's Jobs and servers mount at /fuseml. */
    public static final String RUNNER = "fuseml-runner";
    public static final List<String> RUNNER_FILES = List.of("fuseml_job.py", "fuseml_serve.py", "Dockerfile");
    private static final Duration POLL = Duration.ofSeconds(1);

    private final KubernetesClient client;

    public Cluster(KubernetesClient client) {
        this.client = client;
    }

    public KubernetesClient client() {
        return client;
    }

    /** The labels of every object FuseML makes for an app: Kubernetes' recommended four and the app's. */
    public static Map<String, String> labels(String app, String component) {
        Map<String, String> labels = Labels.of(app, component);
        labels.put(APP_LABEL, Names.label(app));
        return labels;
    }

    public static String anchorName(String app) {
        return Names.label("fuseml-app", app);
    }

    /** The app's anchor in the org's namespace, made when missing; everything of the app is owned by it. */
    public OwnerReference appOwner(String org, String app) {
        ConfigMap anchor = client.configMaps().inNamespace(org).withName(anchorName(app)).get();
        if (anchor == null) {
            anchor = client.configMaps().inNamespace(org).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(anchorName(app)).withNamespace(org).withLabels(labels(app, "app")).endMetadata()
                    .addToData("app", app).build()).createOr(op -> op.update());
        }
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName(anchor.getMetadata().getName()).withUid(anchor.getMetadata().getUid())
                .withBlockOwnerDeletion(false).withController(false).build();
    }

    /** Deletes the app's anchor, and with it (by garbage collection) its Jobs and its served Service. */
    public void deleteApp(String org, String app) {
        client.configMaps().inNamespace(org).withName(anchorName(app)).delete();
    }

    /** The runner scripts in the org's namespace, as this version of FuseML has them (replaced when they differ). */
    public void ensureRunnerFiles(String namespace) {
        Map<String, String> files = new LinkedHashMap<>();
        for (String file : RUNNER_FILES) {
            files.put(file, runnerFile(file));
        }
        ConfigMap current = client.configMaps().inNamespace(namespace).withName(RUNNER).get();
        if (current != null && files.equals(current.getData())) {
            return;
        }
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(RUNNER)
                .withNamespace(namespace).withLabels(Labels.of(RUNNER, Labels.RUNNER)).endMetadata().withData(files)
                .build())
                .createOr(op -> op.update());
    }

    public Optional<Job> job(String namespace, String name) {
        return Optional.ofNullable(client.batch().v1().jobs().inNamespace(namespace).withName(name).get());
    }

    /** Waits until the Job completes or fails; empty when {@code timeout} passed first. */
    public Optional<Job> awaitJob(String namespace, String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Job> job = job(namespace, name);
            if (job.isEmpty()) {
                throw new IllegalStateException("Job " + namespace + "/" + name + " was deleted while it ran");
            }
            if (complete(job.get()) || failed(job.get())) {
                return job;
            }
            Thread.sleep(POLL.toMillis());
        }
        return Optional.empty();
    }

    public static boolean complete(Job job) {
        return condition(job, "Complete");
    }

    public static boolean failed(Job job) {
        return condition(job, "Failed");
    }

    /** When the Job failed, as its Failed condition says (empty when it does not say). */
    public static Optional<java.time.Instant> failedAt(Job job) {
        return conditions(job).stream().filter(c -> "Failed".equals(c.getType()))
                .map(JobCondition::getLastTransitionTime).filter(t -> t != null && !t.isBlank())
                .map(java.time.Instant::parse).findFirst();
    }

    /** The pods of a Job (by the job-name label Kubernetes gives them), oldest first. */
    public List<Pod> pods(String namespace, String jobName) {
        return client.pods().inNamespace(namespace).withLabel("job-name", jobName).list().getItems();
    }

    /** Why a Job failed, as its Failed condition says. */
    public static String failure(Job job) {
        return conditions(job).stream().filter(c -> "Failed".equals(c.getType())).findFirst()
                .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage())).orElse("unknown");
    }

    private static boolean condition(Job job, String type) {
        return conditions(job).stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<JobCondition> conditions(Job job) {
        return job.getStatus() == null || job.getStatus().getConditions() == null ? List.of()
                : job.getStatus().getConditions();
    }

    /** The last lines of the log of the Job's newest pod ("" when there is none yet). */
    public String logTail(String namespace, String jobName, int lines) {
        try {
            List<Pod> pods = pods(namespace, jobName);
            if (pods.isEmpty()) {
                return "";
            }
            Pod newest = pods.get(pods.size() - 1);
            // A plain GET of the log subresource, not fabric8's getLog(): that first waits (5 s by default) for the
            // pod to be ready or succeeded, which a failed pod never is, and does so with a watch that the roles
            // do not grant (list pods and get pods/log are all that reading a log needs).
            String log = client.raw("/api/v1/namespaces/" + namespace + "/pods/" + newest.getMetadata().getName()
                    + "/log?pretty=false&tailLines=" + lines);
            return log == null ? "" : log;
        } catch (KubernetesClientException e) {
            return "(the pod's log cannot be read: " + e.getMessage() + ")";
        }
    }

    /** Whether the cluster has the custom resource (plural.group), such as inferenceservices.serving.kserve.io. */
    public boolean hasCrd(String name) {
        try {
            return client.apiextensions().v1().customResourceDefinitions().withName(name).get() != null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                return false; // not allowed to look: behave as without it
            }
            throw e;
        }
    }

    /** A file of the runner ConfigMap, as this version of FuseML has it. */
    public static String runnerFile(String name) {
        String path = "/kubernetes/" + name;
        try (InputStream in = Cluster.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the orchestrator's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

}
