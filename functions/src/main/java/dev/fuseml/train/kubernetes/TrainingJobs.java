package dev.fuseml.train.kubernetes;

import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.kubernetes.KubernetesSettings;
import dev.fuseml.kubernetes.Names;
import dev.fuseml.kubernetes.PodSecurity;
import dev.fuseml.kubernetes.Projects;
import dev.fuseml.project.Project;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.StepLog;
import dev.fuseml.train.Trainer;
import dev.fuseml.train.local.ProcessTrainer;
import dev.fuseml.workspace.Workspaces;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Trains in a Kubernetes Job: an init container fetches the run's commit from the codeset (git over HTTP, the
 * org's token as password), and the main container runs the entry point's command in the environment image under
 * {@code fuseml_job.py}, which stores the model at the run's artifact URI and posts {@code trained} or
 * {@code failed} to the org's broker itself. So the train step only creates the Job and hands over: no step process
 * waits while the training runs. The Job is named after the run (at most 63 characters whatever the run id), so a
 * redelivery finds it instead of training twice; the app's anchor owns it.
 */
public class TrainingJobs implements Trainer {
    static final String STEP = dev.fuseml.eventing.Steps.TRAIN;
    private static final String WORKSPACE = "/workspace";
    private static final String BROKER_TOKEN = "/var/run/fuseml/broker";
    private final Cluster cluster;
    private final KubernetesSettings settings;
    private final CodesetSource codesets;
    private final Workspaces workspaces;
    private final StepLog log;

    private final dev.fuseml.train.RunTokens runTokens;

    private final dev.fuseml.train.Tracking tracking;
    private final dev.fuseml.train.determined.DeterminedTrainer determined;
    private final dev.fuseml.extension.ToolAccess tools;
    private final java.net.http.HttpClient teamsHttp = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(10)).build();
    /** The run Secret's key of a DVC remote's config, when the project pulls data (fuseml_job.py reads it). */
    static final String DVC_CONFIG_KEY = "dvc-config";

    public TrainingJobs(Cluster cluster, KubernetesSettings settings, CodesetSource codesets, Workspaces workspaces,
            StepLog log, dev.fuseml.train.RunTokens runTokens) {
        this(cluster, settings, codesets, workspaces, log, runTokens, dev.fuseml.train.Tracking.NONE);
    }

    /** @param tracking the control plane's MLflow tracking: each Job's code logs to its own MLflow run */
    public TrainingJobs(Cluster cluster, KubernetesSettings settings, CodesetSource codesets, Workspaces workspaces,
            StepLog log, dev.fuseml.train.RunTokens runTokens, dev.fuseml.train.Tracking tracking) {
        this(cluster, settings, codesets, workspaces, log, runTokens, tracking, null,
                dev.fuseml.extension.ToolAccess.NONE);
    }

    /**
     * @param determined trains, from this step, the projects that ask for Determined (no Job: HTTP only)
     * @param tools      the org's registered tools: a DVC remote the Job pulls data from
     */
    public TrainingJobs(Cluster cluster, KubernetesSettings settings, CodesetSource codesets, Workspaces workspaces,
            StepLog log, dev.fuseml.train.RunTokens runTokens, dev.fuseml.train.Tracking tracking,
            dev.fuseml.train.determined.DeterminedTrainer determined, dev.fuseml.extension.ToolAccess tools) {
        this.determined = determined;
        this.tools = tools;
        this.tracking = tracking;
        this.runTokens = runTokens;
        this.cluster = cluster;
        this.settings = settings;
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.log = log;
    }

    @Override
    public Optional<TrainedModel> train(TrainingJob job) throws Exception {
        // both become git's arguments in the pod: a URL and a commit id, never something git reads as an option
        if (job.repository() == null || !job.repository().matches("https?://[^\\s]+")) {
            throw new dev.fuseml.step.StepFailure("the codeset '" + job.repository() + "' is not an http(s) URL");
        }
        if (job.commit() == null || !job.commit().matches("[0-9a-f]{40}")) {
            throw new dev.fuseml.step.StepFailure("'" + job.commit() + "' is not a commit id (40 hex digits)");
        }
        String namespace = job.ref().org();
        String name = jobName(job.ref().run());
        if (cluster.job(namespace, name).isPresent()) {
            log.note(job.ref().run(), STEP, "training Job " + namespace + "/" + name + " exists already: it "
                    + "reports its own result");
            return Optional.empty();
        }
        String[] servingModel = new String[1];
        String[] serving = new String[1];
        boolean[] onDetermined = new boolean[1];
        boolean[] dvcProject = new boolean[1];
        String[] dataRemote = new String[1];
        dev.fuseml.project.ToolSettings[] named = new dev.fuseml.project.ToolSettings[1];
        Project project = Projects.read(codesets, workspaces, job.ref(), STEP, job.repository(), job.commit(),
                job.entryPoint(), job.params(), code -> {
                    servingModel[0] = dev.fuseml.project.ServingSettings.modelName(code);
                    serving[0] = servingJson(code, job.serveTarget());
                    dev.fuseml.project.ToolSettings tools = dev.fuseml.project.ToolSettings.readOrFail(code);
                    named[0] = tools;
                    onDetermined[0] = tools.trainsOnDetermined();
                    dataRemote[0] = tools.dataRemote();
                    dvcProject[0] = java.nio.file.Files.isDirectory(code.resolve(".dvc"));
                });
        if (onDetermined[0]) {
            if (determined == null) {
                throw new dev.fuseml.step.StepFailure("training.target: determined is not set up on this cluster");
            }
            return determined.train(job);
        }
        TeamTracking team = named[0].externalTracking() ? teamTracking(job.ref(), named[0]) : null;
        dev.fuseml.train.Tracking.Started mlflow = team != null ? team.started() : tracking.start(job.ref());
        OwnerReference owner = cluster.appOwner(namespace, job.ref().app());
        cluster.ensureRunnerFiles(namespace);
        Optional<String> audience = dev.fuseml.kubernetes.ClusterIdentity.brokerAudience(cluster.client(), namespace);
        Job spec = jobOf(job, name, project, owner, audience);
        if (serving[0] != null) {
            // fuseml_job.py stores it beside the model, as local training does: it travels with the version
            spec.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                    .add(value("FUSEML_SERVING_SETTINGS", serving[0]));
        }
        if (mlflow != null) {
            // what `mlflow run` gives the code; fuseml_job.py ends the MLflow run and takes the model it logged
            List<EnvVar> env = spec.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
            env.add(value("MLFLOW_TRACKING_URI", team != null ? mlflow.trackingUri() : settings.controlPlane()));
            env.add(value("MLFLOW_EXPERIMENT_ID", mlflow.experimentId()));
            env.add(value("MLFLOW_RUN_ID", mlflow.runId()));
            if (team == null) {
                env.add(secret("MLFLOW_TRACKING_TOKEN", job.ref().run()));
            } else {
                // the team's credentials, from the run's Secret; fuseml_job.py asks the control plane to end and
                // read the run there (FUSEML_TRACKING_SERVER), as the embedded default's training does itself
                env.add(value("FUSEML_TRACKING_SERVER", team.server()));
                team.variables().keySet().forEach(variable -> env.add(new EnvVarBuilder().withName(variable)
                        .withNewValueFrom().withNewSecretKeyRef().withName(tokenSecret(job.ref().run()))
                        .withKey(secretKey(variable)).endSecretKeyRef().endValueFrom().build()));
            }
            if (servingModel[0] != null) {
                env.add(value("FUSEML_SERVING_MODEL", servingModel[0]));
            }
        }
        Map<String, String> secrets = new LinkedHashMap<>(Map.of("token", runTokens.tokenFor(job.ref())));
        if (team != null) {
            team.variables().forEach((variable, secret) -> secrets.put(secretKey(variable), secret));
        }
        var remote = dvcProject[0] && project.dependencies().requires("dvc")
                ? tools.grant(job.ref(), "dvc-remote", dataRemote[0]) : Optional.<dev.fuseml.extension.ToolAccess.Grant>empty();
        if (remote.isPresent()) {
            // fuseml_job.py writes it as DVC's local config and runs dvc pull before the entry point
            secrets.put(DVC_CONFIG_KEY, dev.fuseml.train.DvcConfig.local(remote.get().forUsersCode(job.ref().org())));
            List<EnvVar> env = spec.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
            env.add(value("FUSEML_DVC_REMOTE", remote.get().name()));
            env.add(new EnvVarBuilder().withName("FUSEML_DVC_CONFIG").withNewValueFrom().withNewSecretKeyRef()
                    .withName(tokenSecret(job.ref().run())).withKey(DVC_CONFIG_KEY).endSecretKeyRef().endValueFrom()
                    .build());
            log.note(job.ref().run(), STEP, "the Job pulls the data DVC pins from " + remote.get());
        }
        Job created = cluster.client().batch().v1().jobs().inNamespace(namespace).resource(spec).create();
        // The run's token (and a DVC remote's credentials), in a Secret the Job owns (made after it, for its uid;
        // the pod waits for it): never a plain value in the Job's manifest, gone with the Job
        cluster.client().secrets().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName(tokenSecret(job.ref().run())).withNamespace(namespace)
                .withLabels(labels(job)).addToOwnerReferences(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("batch/v1").withKind("Job").withName(name)
                        .withUid(created.getMetadata().getUid()).withController(true).build())
                .endMetadata().withType("Opaque").withStringData(secrets).build())
                .create();
        log.note(job.ref().run(), STEP, "training Job " + namespace + "/" + name + " created (image "
                + job.environment() + "); it stores the model and reports its own result");
        return Optional.empty();
    }

    /** A training Job's MLflow run on the team's server: made by this step, before the Job. */
    private record TeamTracking(String server, dev.fuseml.train.Tracking.Started started,
            Map<String, String> variables) {
    }

    private TeamTracking teamTracking(dev.fuseml.step.RunRef ref, dev.fuseml.project.ToolSettings named)
            throws Exception {
        var grant = tools.grant(ref, "mlflow", named.trackingServer()).orElseThrow(() ->
                new dev.fuseml.step.StepFailure("MLproject's tracking.server names " + named.trackingServer()
                        + ", which is not registered")).forUsersCode(ref.org());
        var mlflow = new dev.fuseml.train.mlflow.MlflowServer(grant, teamsHttp, java.time.Duration.ofMinutes(1));
        var started = new dev.fuseml.train.mlflow.ExternalTracking(mlflow, named.experiment() != null
                ? named.experiment() : ref.org() + "/" + ref.app()).start(ref);
        log.note(ref.run(), STEP, "the MLflow run is " + started.runId() + " of experiment " + started.experimentId()
                + " on MLflow server " + grant.name() + " (" + mlflow.url() + ")");
        return new TeamTracking(grant.name(), started, mlflow.credentialVariables());
    }

    /** The run Secret's key of an MLflow credential variable ({@code MLFLOW_TRACKING_TOKEN}: mlflow-tracking-token). */
    static String secretKey(String variable) {
        return variable.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }


    /** The MLproject's serving section as the model directory keeps it, or null without one. */
    private static String servingJson(java.nio.file.Path code, String serveTarget) {
        try {
            return dev.fuseml.project.ServingSettings.forVersion(code, serveTarget).map(TrainingJobs::json)
                    .orElse(null);
        } catch (dev.fuseml.project.InvalidProjectException e) {
            throw new dev.fuseml.step.StepFailure("the project was refused: " + e.getMessage());
        }
    }

    public static String jobName(String run) {
        return Names.label("fuseml-train", run);
    }

    /** The Secret with the run's token that the Job's containers read. */
    public static String tokenSecret(String run) {
        return Names.label("fuseml-run-token", run);
    }

    /**
     * @param brokerAudience the org Broker's OIDC audience, when Knative's sender identity is on: the pod then gets
     *                       a token for it (projected, renewed by the kubelet) to post its result with
     */
    Job jobOf(TrainingJob job, String name, Project project, OwnerReference owner, Optional<String> brokerAudience) {
        String namespace = job.ref().org();
        String token = "FUSEML_TOKEN";
        // the trained event's fields known now; fuseml_job.py adds modelUri and metrics
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("repository", job.repository());
        base.put("commit", job.commit());
        base.put("params", job.params());
        base.put("environment", job.environment());
        List<EnvVar> env = new ArrayList<>();
        env.add(value("FUSEML_CONTROL_PLANE", settings.controlPlane()));
        env.add(value("K_SINK", settings.brokerUrl().replaceAll("/+$", "") + "/" + namespace + "/default"));
        env.add(value("FUSEML_ORG", namespace));
        env.add(value("FUSEML_APP", job.ref().app()));
        env.add(value("FUSEML_RUN_ID", job.ref().run()));
        env.add(value("FUSEML_MODEL_URI", job.modelUri()));
        env.add(value(ProcessTrainer.MODEL_DIR_ENV, WORKSPACE + "/model"));
        env.add(value(ProcessTrainer.METRICS_FILE_ENV, WORKSPACE + "/metrics.json"));
        env.add(value("FUSEML_TRAINED_BASE", json(base)));
        env.add(secret(token, job.ref().run()));
        brokerAudience.ifPresent(a -> env.add(value("FUSEML_BROKER_TOKEN_FILE", BROKER_TOKEN + "/token")));
        List<String> gitAuth = List.of("-c", "credential.helper=!f() { echo username=fuseml; "
                + "echo \"password=$" + token + "\"; }; f");
        List<String> clone = new ArrayList<>(gitAuth);
        clone.addAll(List.of("clone", "--no-checkout", "--quiet", job.repository(), WORKSPACE + "/code"));
        Job built = new JobBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(labels(job)).addToOwnerReferences(owner)
                .addToAnnotations("fuseml.dev/commit", job.commit()).endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withActiveDeadlineSeconds(settings.trainTimeout().toSeconds())
                .withTtlSecondsAfterFinished(86_400)
                .withNewTemplate().withNewMetadata().withLabels(labels(job)).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withSecurityContext(PodSecurity.restrictedPod())
                .addNewInitContainer().withName("fetch-code").withImage(settings.gitImage()).withArgs(clone)
                .withEnv(secret(token, job.ref().run()), value("HOME", "/tmp"))
                .withSecurityContext(PodSecurity.restrictedContainer()).withResources(dev.fuseml.kubernetes.Resources.GIT)
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .endInitContainer()
                .addNewInitContainer().withName("checkout").withImage(settings.gitImage())
                .withArgs("-C", WORKSPACE + "/code", "checkout", "--quiet", job.commit())
                .withEnv(value("HOME", "/tmp"))
                .withSecurityContext(PodSecurity.restrictedContainer()).withResources(dev.fuseml.kubernetes.Resources.GIT)
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .endInitContainer()
                .addNewContainer().withName(STEP).withImage(job.environment())
                .withWorkingDir(WORKSPACE + "/code")
                .withCommand("python", "/fuseml/fuseml_job.py", "--", "bash", "-c", project.command())
                .withEnv(env)
                .withSecurityContext(PodSecurity.restrictedContainer())
                .withNewResources()
                .addToRequests(Map.of("cpu", new Quantity(settings.trainCpu()), "memory",
                        new Quantity(settings.trainMemory())))
                .addToLimits(Map.of("cpu", new Quantity(settings.trainCpu()), "memory",
                        new Quantity(settings.trainMemory())))
                .endResources()
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .addNewVolumeMount().withName("runner").withMountPath("/fuseml").withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("workspace").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("runner").withNewConfigMap().withName(Cluster.RUNNER).endConfigMap()
                .endVolume()
                .endSpec().endTemplate().endSpec().build();
        brokerAudience.ifPresent(audience -> {
            var pod = built.getSpec().getTemplate().getSpec();
            pod.getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("broker-token")
                    .withNewProjected().addNewSource().withNewServiceAccountToken().withAudience(audience)
                    .withExpirationSeconds(3600L).withPath("token").endServiceAccountToken().endSource()
                    .endProjected().build());
            pod.getContainers().get(0).getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                    .withName("broker-token").withMountPath(BROKER_TOKEN).withReadOnly(true).build());
        });
        return built;
    }

    private static Map<String, String> labels(TrainingJob job) {
        Map<String, String> labels = Cluster.labels(job.ref().app(), dev.fuseml.kubernetes.Labels.TRAINING);
        labels.put(Cluster.RUN_LABEL, Names.label(job.ref().run()));
        labels.put(Cluster.STEP_LABEL, STEP);
        return labels;
    }

    private static EnvVar value(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    /** The run's token from its Secret: never a plain value in the Job's manifest. */
    private static EnvVar secret(String name, String run) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                .withName(tokenSecret(run)).withKey("token").endSecretKeyRef().endValueFrom().build();
    }

    private static String json(Object value) {
        try {
            return JsonFiles.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
