package dev.fuseml;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The orchestrator's settings ({@code fuseml.*} in application.properties, or FUSEML_* environment variables). */
@ConfigMapping(prefix = "fuseml")
public interface FusemlConfig {
    /** Where codesets, environments, models, runs and the broker's log live. */
    @WithDefault("${user.home}/.local/share/fuseml")
    Path dataDir();

    /** Interpreter that creates the Python environments (a name on PATH or a path). */
    @WithDefault("python3")
    String python();

    /**
     * Whether users' code (training, pip, prediction workers) runs in a bubblewrap sandbox when bubblewrap is
     * installed; {@code fuseml status} says how it runs.
     */
    @WithDefault("true")
    boolean sandbox();

    /**
     * Further files and directories users' code must not read, besides the user's home and the data dir, which it
     * never sees (comma-separated; {@code fuseml install} adds the CLI's config file when it lives elsewhere).
     */
    Optional<String> sandboxHide();

    /** Longest a training process may run. */
    @WithDefault("PT30M")
    Duration trainTimeout();

    /**
     * How long an interpreter started ahead for an environment's next training waits for it (a Python with the
     * libraries the last training imported: its memory, given back after this); zero starts none ahead.
     */
    @WithDefault("PT10M")
    Duration trainWarmIdle();

    /** Longest an environment build (venv + pip) may run. */
    @WithDefault("PT20M")
    Duration buildTimeout();

    /** Address the broker ingress and the prediction servers listen on. */
    @WithDefault("127.0.0.1")
    String host();

    /** Broker ingress port; 0 picks a free one (the status API tells which). */
    @WithDefault("0")
    int brokerPort();

    /**
     * What this process runs: {@code all} (the embedded default: control plane, broker and every step function),
     * {@code control-plane} (API, broker, run projection, claims, codesets and artifacts; no step), or one step
     * ({@code receive}, {@code build}, {@code train}, {@code register}, {@code serve}), as one Knative Service per
     * step runs it. Set with FUSEML_FUNCTION.
     */
    @WithDefault("all")
    String function();

    /**
     * Which implementations of the platform interfaces exist: {@code local} (venvs, processes and prediction
     * servers on this machine) or {@code kubernetes} (image build Jobs, training Jobs, a Knative Service per app).
     */
    @WithDefault("local")
    String platform();

    /** The kubernetes platform's settings ({@code fuseml.kubernetes.*}, FUSEML_KUBERNETES_*). */
    Kubernetes kubernetes();

    /** See {@link dev.fuseml.kubernetes.KubernetesSettings} for what each is. */
    interface Kubernetes {
        @WithDefault("registry.fuseml-system.svc.cluster.local:5000")
        String registry();

        @WithDefault("python:3.11-slim")
        String pythonImage();

        @WithDefault("gcr.io/kaniko-project/executor:v1.23.2")
        String kanikoImage();

        @WithDefault("alpine/git:2.45.2")
        String gitImage();

        @WithDefault("fuseml-org-token")
        String tokenSecret();

        @WithDefault("PT30M")
        Duration buildTimeout();

        @WithDefault("PT5M")
        Duration readyTimeout();

        @WithDefault("1")
        String trainCpu();

        @WithDefault("2Gi")
        String trainMemory();

        /** A model server's CPU request (FUSEML_KUBERNETES_SERVE_CPU); an app's MLproject may say otherwise. */
        @WithDefault("100m")
        String serveCpu();

        /** A model server's memory request and limit. */
        @WithDefault("512Mi")
        String serveMemory();

        /** Most replicas of a model server (Knative's max-scale, KServe's maxReplicas). */
        @WithDefault("5")
        int serveMaxScale();

        /** Concurrent requests per model server replica that the autoscaler aims at. */
        @WithDefault("10")
        int serveTarget();

        /**
         * This pod's service account (FUSEML_KUBERNETES_SERVICE_ACCOUNT): the one that asks for tokens to post to
         * org Brokers when Knative's sender identity is on.
         */
        @WithDefault("fuseml")
        String serviceAccount();
    }

    /** Where the control plane keeps artifacts (fuseml.artifacts.*). */
    Artifacts artifacts();

    interface Artifacts {
        /**
         * An S3-compatible bucket for artifacts (FUSEML_ARTIFACTS_S3_BUCKET), with credentials from the AWS SDK's
         * default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, a web identity token file,
         * a profile, container or instance credentials); without one, the control plane's data directory.
         */
        Optional<String> s3Bucket();

        /** The store's URL (FUSEML_ARTIFACTS_S3_ENDPOINT): AWS's, or MinIO's, Ceph's, ... */
        @WithDefault("https://s3.amazonaws.com")
        String s3Endpoint();

        @WithDefault("us-east-1")
        String s3Region();

        /** What every key starts with (FUSEML_ARTIFACTS_S3_PREFIX), such as "fuseml/". */
        Optional<String> s3Prefix();
    }

    /** The control plane's URL, for a process that is not the control plane (FUSEML_CONTROL_PLANE). */
    Optional<String> controlPlane();

    /** Where to send events when K_SINK is not set: the broker's URL, orgs' ingresses under it (FUSEML_BROKER_URL). */
    Optional<String> brokerUrl();

    /** Knative's K_SINK (set by a SinkBinding): every event this process emits goes there. */
    Optional<String> sink();

    /**
     * How long the broker waits for a step to answer one delivery of the default chain before it tries again
     * (Knative's {@code delivery.timeout}); a short step delivered again while it works answers within two thirds
     * of it.
     */
    @WithDefault("PT30S")
    Duration deliveryTimeout();

    /** How long a step's claim lasts without renewal; its owner renews it every third of that. */
    @WithDefault("PT30S")
    Duration lease();

    /**
     * For the control plane alone: where each step's process is ({@code fuseml.steps.train=http://host:port}); the
     * default chain's triggers deliver there. Steps without an entry run in this process.
     */
    Map<String, String> steps();

    /** How many ended runs each app keeps (their records, logs and traces); older ones are removed as runs end. */
    @WithDefault("100")
    int retentionRuns();

    /** How many model versions each app keeps (records and artifacts); the served version is always kept. */
    @WithDefault("20")
    int retentionVersions();

    /**
     * SHA-256 (hex) of the admin token, which reaches every org (FUSEML_ADMIN_TOKEN_SHA256; {@code fuseml install}
     * sets it and keeps the token in the CLI's config). With it, every API, broker and git request needs a token.
     */
    Optional<String> adminTokenSha256();

    /**
     * The deployment's own token (FUSEML_SYSTEM_TOKEN): what a function presents to the control plane and the
     * broker, and what the broker's deliveries to the steps carry. All processes of a deployment share it; the
     * embedded default makes one at each start.
     */
    Optional<String> systemToken();

    /**
     * Fault injection for crash tests (FUSEML_FAULT_PAUSE): {@code STEP=DURATION,...} makes each named step wait
     * after its work and before its result is recorded, the moment where a crash hurts most. Unset in production.
     */
    Optional<String> faultPause();

    /** Most Python workers one served version runs at once (more start while requests wait). */
    @WithDefault("2")
    int servingMaxWorkers();

    /** Most rows a Python worker predicts in one call: requests that arrive together share one call. */
    @WithDefault("64")
    int servingMaxBatch();

    /** Longest a worker waits for more requests to join a batch it has begun. */
    @WithDefault("PT0.002S")
    Duration servingMaxWait();

    /**
     * After this long without requests a served version stops its Python workers (scale to zero): its port stays,
     * and the next request starts a worker and waits for it (a cold start of one to three seconds).
     */
    @WithDefault("PT15M")
    Duration servingIdleTimeout();

    /** Org every installation starts with. */
    @WithDefault("workspace")
    String defaultOrg();
}
