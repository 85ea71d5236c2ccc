package dev.fuseml.kubernetes;

import dev.fuseml.testing.RbacRules;
import dev.fuseml.build.BuildFunction;
import dev.fuseml.build.kubernetes.ImageBuildJobs;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.mock.FakeClaims;
import dev.fuseml.mock.FakeCodesetSource;
import dev.fuseml.mock.FakeEventSink;
import dev.fuseml.mock.FakeStepLog;
import dev.fuseml.serve.ServeFunction;
import dev.fuseml.serving.kubernetes.KnativeDeployer;
import dev.fuseml.serving.kubernetes.SeldonServers;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepRunner;
import dev.fuseml.train.TrainFunction;
import dev.fuseml.train.kubernetes.TrainingJobs;
import dev.fuseml.workspace.Workspaces;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The kubernetes platform's steps against fabric8's mock API server in CRUD mode (no cluster runs here): what each
 * step makes (Jobs, ConfigMaps, the Knative Service), with which images, commands, resources, secrets and owners,
 * and how the run goes on once the mock resources are marked done or Ready, as the cluster's controllers would.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPlatformTest {
    private static final RunRef RUN = new RunRef("workspace", "wine", "wine-1");
    private static final String REPO = "http://fuseml-control-plane.fuseml-system.svc/git/workspace/wine.git";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String MODEL = "fuseml-artifacts:/workspace/wine/wine-1/model";
    private static final String MLPROJECT = "entry_points:\n  main:\n    parameters:\n      alpha: {type: float, "
            + "default: 0.5}\n    command: python train.py --alpha {alpha}\n";
    private static final KubernetesSettings SETTINGS = new KubernetesSettings("registry.example:5000",
            "python:3.11-slim", "gcr.io/kaniko-project/executor:v1.23.2", "alpine/git:2.45.2", "fuseml-org-token",
            "http://fuseml-control-plane.fuseml-system.svc", "http://broker-ingress.knative-eventing.svc",
            Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofSeconds(20), "1", "2Gi",
            KubernetesSettings.Serving.DEFAULTS);

    private static final String SYSTEM_TOKEN = "fuseml_test-system-token";
    private static final dev.fuseml.train.RunTokens RUN_TOKENS = ref -> dev.fuseml.eventing.Tokens.forRun(SYSTEM_TOKEN,
            new dev.fuseml.eventing.Tokens.RunClaim(ref.org(), ref.app(), ref.run(),
                    java.time.Instant.now().plusSeconds(3600).getEpochSecond()));

    KubernetesClient client;
    io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;
    /**
     * What was asked of the API server in every test (verb group/resource[/sub] name), for the RBAC check: the steps'
     * requests, and the test's own reads of the same objects (which the steps make too), without what only the test
     * does as the cluster's controllers would (RbacRules.TEST_ONLY).
     */
    private static final java.util.Set<RbacRules.Request> REQUESTS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    @TempDir
    Path dir;
    private final FakeClaims claims = new FakeClaims(Duration.ofSeconds(30));
    private final FakeStepLog log = new FakeStepLog();
    private final FakeEventSink sink = new FakeEventSink();
    private final StepRunner stepRunner = new StepRunner(claims, log, sink, () -> SETTINGS.controlPlane(),
            Duration.ofSeconds(30), "test", Map.of(), Duration.ofSeconds(30),
            new dev.fuseml.reference.OrgReferences());
    private final FakeCodesetSource codesets = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject",
            MLPROJECT, "train.py", "print(1)", "requirements.txt", "scikit-learn\npandas\n"));

    /** The cluster has Knative Serving: its real Service CRD (../shared/conformance/knative-crds). */
    @org.junit.jupiter.api.BeforeEach
    void installKnativeServing() throws Exception {
        installCrd("/knative-crds/serving-service.yaml");
    }

    private void installCrd(String resource) throws java.io.IOException {
        try (var in = getClass().getResourceAsStream(resource)) {
            client.apiextensions().v1().customResourceDefinitions().load(in).create();
        }
    }

    /**
     * Every request the steps made is kept for the RBAC check, and every object they created or replaced must meet
     * the cluster rules (labels, restricted pods, resources, probes, scale bounds: testing/ClusterRules).
     */
    @AfterEach
    void close() throws Exception {
        stepRunner.close();
        List<String> problems = new ArrayList<>();
        // the mock server's dispatcher consumes request bodies: what the steps wrote is read back from its store
        java.util.Set<List<String>> written = new java.util.LinkedHashSet<>();
        for (RbacRules.Seen seen : RbacRules.drainWithPlaces(server)) {
            RbacRules.Request r = seen.request();
            if (RbacRules.TEST_ONLY.contains(r.verb() + " " + r.resource())) {
                continue;
            }
            REQUESTS.add(r);
            if (List.of("create", "update").contains(r.verb()) && !r.resource().contains("/")) {
                written.add(List.of(seen.apiVersion(), seen.plural(), seen.namespace()));
            }
        }
        for (List<String> place : written) {
            String[] api = place.get(0).contains("/") ? place.get(0).split("/") : new String[] {"", place.get(0)};
            var context = new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                    .withGroup(api[0]).withVersion(api[1]).withPlural(place.get(1))
                    .withNamespaced(!place.get(2).isEmpty()).build();
            var resources = client.genericKubernetesResources(context);
            List<GenericKubernetesResource> items = place.get(2).isEmpty() ? resources.list().getItems()
                    : resources.inNamespace(place.get(2)).list().getItems();
            for (GenericKubernetesResource item : items) {
                WRITTEN.incrementAndGet();
                problems.addAll(dev.fuseml.testing.ClusterRules.problems(JSON.valueToTree(item)));
            }
        }
        assertThat(problems).as("objects the steps made that break the cluster rules").isEmpty();
    }

    /** The rules above were applied to what the steps made (a filter that matched nothing would pass anything). */
    private static final java.util.concurrent.atomic.AtomicInteger WRITTEN = new java.util.concurrent.atomic.AtomicInteger();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @org.junit.jupiter.api.AfterAll
    static void theStepsMadeObjectsThatTheRulesChecked() {
        assertThat(WRITTEN.get()).as("objects created or replaced by the steps").isGreaterThan(20);
    }

    /**
     * config/'s ServiceAccount may do every request the steps made in these tests, and nothing they did not make:
     * least privilege, checked rather than claimed.
     */
    @org.junit.jupiter.api.AfterAll
    static void everyRequestOfTheStepsIsAllowedByConfigsRbacAndEveryRuleIsUsed() throws Exception {
        RbacRules.read(Path.of("..", "config", "10-serviceaccount.yaml"),
                java.util.Set.of("fuseml-steps", "fuseml-crd-reader")).assertAllowsExactly(REQUESTS);
    }

    private static <T> CloudEvent<T> event(String type, T data) {
        return CloudEventBuilder.create().id("e1").type(type).source("test").extensions(RUN.extensions()).build(data);
    }

    private Cluster cluster() {
        return new Cluster(client);
    }

    /** What each model's stored serving section says (fuseml-serving.json beside the model), by model URI. */
    private final Map<String, dev.fuseml.project.ServingSettings> storedServing = new java.util.HashMap<>();

    private KnativeDeployer deployer() {
        return new KnativeDeployer(cluster(), SETTINGS, uri -> Optional.ofNullable(storedServing.get(uri)));
    }

    @Test
    void aPushBuildsAnImageWithAKanikoJobTrainsInAJobThatReportsItselfAndIsServedByAKnativeService() {
        // build: a Kaniko Job named after the dependency hash, its context a ConfigMap it owns
        new BuildFunction(stepRunner, new ImageBuildJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log))
                .build(event(FusemlEvents.RECEIVED, new Received(REPO, COMMIT, Map.of("alpha", "0.3"), null, null)));
        Job build = await().atMost(Duration.ofSeconds(10)).until(() -> onlyJob("build"), Optional::isPresent)
                .orElseThrow();
        Container kaniko = build.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(kaniko.getImage()).isEqualTo(SETTINGS.kanikoImage());
        String image = build.getMetadata().getAnnotations().get("fuseml.dev/image");
        assertThat(image).startsWith("registry.example:5000/fuseml-env:");
        assertThat(kaniko.getArgs()).contains("--destination=" + image, "--context=dir:///workspace",
                "--build-arg=BASE=python:3.11-slim", "--cache=true");
        // the step makes the context after the Job (it owns the context by the Job's uid): wait for it too
        ConfigMap context = await().atMost(Duration.ofSeconds(10)).until(() -> client.configMaps()
                .inNamespace("workspace").withName(build.getMetadata().getName()).get(), java.util.Objects::nonNull);
        assertThat(context.getData().get("requirements.txt")).isEqualTo("scikit-learn\npandas\n");
        assertThat(context.getData().get("Dockerfile")).contains("FROM ${BASE}", "pip install");
        assertThat(context.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Job");
            assertThat(o.getUid()).isEqualTo(build.getMetadata().getUid());
        });
        assertThat(sink.emitted).as("nothing before the Job completes").isEmpty();

        markJob(build, "Complete");
        FakeEventSink.Emitted built = await().atMost(Duration.ofSeconds(10)).until(() -> sink.emitted.stream()
                .findFirst(), Optional::isPresent).orElseThrow();
        assertThat(built.type()).isEqualTo(FusemlEvents.BUILT);
        assertThat(built.data().path("environment").asText()).isEqualTo(image);

        // train: a Job in the environment image, fetching the commit, running the command under fuseml_job.py
        new TrainFunction(stepRunner, new TrainingJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log,
                RUN_TOKENS))
                .train(event(FusemlEvents.BUILT, new Built(REPO, COMMIT, Map.of("alpha", "0.3"), null, image)));
        Job train = await().atMost(Duration.ofSeconds(10)).until(() -> onlyJob("train"), Optional::isPresent)
                .orElseThrow();
        assertThat(train.getMetadata().getName()).isEqualTo("fuseml-train-wine-1");
        Container trainer = train.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(trainer.getImage()).isEqualTo(image);
        assertThat(trainer.getCommand()).containsExactly("python", "/fuseml/fuseml_job.py", "--", "bash", "-c",
                "python train.py --alpha 0.3");
        assertThat(trainer.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(trainer.getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");
        assertThat(env(trainer)).containsEntry("K_SINK", "http://broker-ingress.knative-eventing.svc/workspace/default")
                .containsEntry("FUSEML_MODEL_URI", MODEL).containsEntry("FUSEML_RUN_ID", "wine-1");
        assertThat(trainer.getEnv()).filteredOn(e -> e.getName().equals("FUSEML_TOKEN")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getValue()).as("never a plain token in a manifest").isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("fuseml-run-token-wine-1");
                });
        // the run's token: in a Secret the Job owns, reaching this run only
        io.fabric8.kubernetes.api.model.Secret runToken = await().atMost(Duration.ofSeconds(10)).until(() -> client
                .secrets().inNamespace("workspace").withName("fuseml-run-token-wine-1").get(),
                java.util.Objects::nonNull);
        assertThat(runToken.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(train.getMetadata().getUid()));
        String token = runToken.getStringData() != null ? runToken.getStringData().get("token")
                : new String(java.util.Base64.getDecoder().decode(runToken.getData().get("token")));
        dev.fuseml.auth.Principal job = new dev.fuseml.auth.Authenticator(java.util.Optional.empty(),
                java.util.Optional.of(SYSTEM_TOKEN), true, null).authenticate("Bearer " + token).orElseThrow();
        assertThat(dev.fuseml.auth.Access.runRefusal(job, "POST", "/api/v1/runs/wine-1/log")).isEmpty();
        assertThat(dev.fuseml.auth.Access.runRefusal(job, "PUT", "/api/v1/artifacts/workspace/wine/wine-1/model/x"))
                .isEmpty();
        assertThat(dev.fuseml.auth.Access.runRefusal(job, "POST", "/api/v1/runs/wine-2/log")).isPresent();
        assertThat(dev.fuseml.auth.Access.runRefusal(job, "GET", "/api/v1/orgs/workspace/apps")).isPresent();
        assertThat(train.getSpec().getTemplate().getSpec().getVolumes()).as("no Broker audience: no broker token")
                .noneMatch(v -> v.getName().equals("broker-token"));
        List<Container> init = train.getSpec().getTemplate().getSpec().getInitContainers();
        assertThat(init).extracting(Container::getImage).containsOnly("alpine/git:2.45.2");
        assertThat(init.get(0).getArgs()).contains("clone", REPO);
        assertThat(init.get(1).getArgs()).contains("checkout", COMMIT);
        ConfigMap anchor = client.configMaps().inNamespace("workspace").withName("fuseml-app-wine").get();
        assertThat(train.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(anchor.getMetadata().getUid()));
        assertThat(client.configMaps().inNamespace("workspace").withName(Cluster.RUNNER).get().getData())
                .containsKeys("fuseml_job.py", "fuseml_serve.py", "Dockerfile");
        await().atMost(Duration.ofSeconds(10)).until(() -> log.text("wine-1").contains("[train] handed over"));
        assertThat(sink.emitted).as("the Job reports trained itself").hasSize(1);

        // serve: a Knative Service per app, scaled to zero, its URL from its status
        new ServeFunction(stepRunner, deployer(), log)
                .serve(event(FusemlEvents.REGISTERED, new Registered(1, MODEL, image)));
        GenericKubernetesResource service = await().atMost(Duration.ofSeconds(10)).until(this::knativeService,
                Optional::isPresent).orElseThrow();
        assertThat(service.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(anchor.getMetadata().getUid()));
        Map<String, Object> template = map(map(service.getAdditionalProperties().get("spec")).get("template"));
        assertThat(map(map(template.get("metadata")).get("annotations")))
                .containsEntry("autoscaling.knative.dev/min-scale", "0")
                .containsEntry("autoscaling.knative.dev/max-scale", "5").containsEntry("autoscaling.knative.dev/target",
                        "10");
        Map<String, Object> container = map(((List<?>) map(template.get("spec")).get("containers")).get(0));
        assertThat(container.get("resources").toString()).as("the ConfigMap's defaults").contains("cpu=100m",
                "memory=512Mi");
        assertThat(container.get("image")).isEqualTo(image);
        assertThat(container.get("env").toString()).contains("FUSEML_MODEL_URI", MODEL);
        markReady(service, "True", "http://wine.workspace.example.com");
        FakeEventSink.Emitted served = await().atMost(Duration.ofSeconds(10)).until(() -> sink.emitted.stream()
                .filter(e -> e.type().equals(FusemlEvents.SERVED)).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(served.data().path("url").asText()).isEqualTo(
                "http://wine.workspace.example.com/v2/models/wine/infer");
    }

    @Test
    void anAppsMlprojectServingSectionSetsItsServersResourcesAndScaleBoundsAndTravelsWithItsTrainingJob()
            throws Exception {
        FakeCodesetSource withServing = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject", MLPROJECT
                + "serving: {cpu: 500m, memory: 1Gi, max_scale: 3, target: 7}\n", "train.py", "print(1)"));
        new TrainFunction(stepRunner, new TrainingJobs(cluster(), SETTINGS, withServing, new Workspaces(dir), log,
                RUN_TOKENS)).train(event(FusemlEvents.BUILT, new Built(REPO, COMMIT, Map.of(), null, "img:1")));
        Job train = await().atMost(Duration.ofSeconds(10)).until(() -> onlyJob("train"), Optional::isPresent)
                .orElseThrow();
        assertThat(train.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("FUSEML_SERVING_SETTINGS="
                        + "{\"maxBatch\":null,\"maxWaitMs\":null,\"maxWorkers\":null,\"idleTimeoutS\":null,"
                        + "\"cpu\":\"500m\",\"memory\":\"1Gi\",\"maxScale\":3,\"target\":7,\"serveTarget\":null}"));

        storedServing.put(MODEL, new dev.fuseml.project.ServingSettings(null, null, null, null, "500m", "1Gi", 3, 7));
        new ServeFunction(stepRunner, deployer(), log)
                .serve(event(FusemlEvents.REGISTERED, new Registered(1, MODEL, "img:1")));
        GenericKubernetesResource service = await().atMost(Duration.ofSeconds(10)).until(this::knativeService,
                Optional::isPresent).orElseThrow();
        Map<String, Object> template = map(map(service.getAdditionalProperties().get("spec")).get("template"));
        assertThat(map(map(template.get("metadata")).get("annotations")))
                .containsEntry("autoscaling.knative.dev/max-scale", "3")
                .containsEntry("autoscaling.knative.dev/target", "7");
        Map<String, Object> container = map(((List<?>) map(template.get("spec")).get("containers")).get(0));
        assertThat(map(container.get("resources"))).isEqualTo(Map.of("requests", Map.of("cpu", "500m", "memory",
                "1Gi"), "limits", Map.of("memory", "1Gi")));
    }

    /** fuseml push --serve-target reaches the Job's serving settings; tools a Job cannot use are refused. */
    @Test
    void aPushedServeTargetTravelsWithTheTrainingJobAndToolsOfTheEmbeddedTrainingAreRefused() throws Exception {
        FakeCodesetSource plain = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject", MLPROJECT
                + "serving: {memory: 1Gi}\n", "train.py", "print(1)"));
        new TrainingJobs(cluster(), SETTINGS, plain, new Workspaces(dir), log, RUN_TOKENS).train(
                new dev.fuseml.train.Trainer.TrainingJob(RUN, REPO, COMMIT, null, Map.of(), "img:1", MODEL, "seldon"));
        assertThat(env(onlyJob("train").orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0))
                .get("FUSEML_SERVING_SETTINGS")).contains("\"memory\":\"1Gi\"", "\"serveTarget\":\"seldon\"");

    }

    /**
     * tracking.server on a cluster: the train step makes the MLflow run on the team's server (a stand-in answering
     * MLflow's experiments/get-by-name and runs/create here), and the Job's code gets that server, its run, and the
     * team's token from the run's Secret, never in the Job's manifest.
     */
    @Test
    void aJobTrackedOnTheTeamsMlflowServerGetsItsRunThereAndItsTokenFromTheRunsSecret() throws Exception {
        com.sun.net.httpserver.HttpServer team = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        team.createContext("/", exchange -> {
            asked.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (exchange.getRequestURI().getPath().endsWith("get-by-name")
                    ? "{\"experiment\": {\"experiment_id\": \"5\", \"lifecycle_stage\": \"active\"}}"
                    : "{\"run\": {\"info\": {\"run_id\": \"team-run-1\"}}}").getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        team.start();
        try {
            String url = "http://127.0.0.1:" + team.getAddress().getPort();
            RunRef tracked = new RunRef("workspace", "wine", "wine-tracked");
            FakeCodesetSource asking = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject", MLPROJECT
                    + "tracking: {server: team-mlflow}\n", "train.py", "print(1)"));
            dev.fuseml.extension.ToolAccess tools = (run, kind, name) -> java.util.Optional.of(
                    new dev.fuseml.extension.ToolAccess.Grant(name, kind, url, Map.of("token", "team-token-9")));
            dev.fuseml.mock.FakeTracking own = new dev.fuseml.mock.FakeTracking();
            new TrainingJobs(cluster(), SETTINGS, asking, new Workspaces(dir), log, RUN_TOKENS, own, null, tools)
                    .train(new dev.fuseml.train.Trainer.TrainingJob(tracked, REPO, COMMIT, null, Map.of(), "img:1",
                            MODEL));
            assertThat(own.started).as("no run on FuseML's own server").isEmpty();

            assertThat(asked).containsExactly("GET /api/2.0/mlflow/experiments/get-by-name Bearer team-token-9",
                    "POST /api/2.0/mlflow/runs/create Bearer team-token-9");
            Job job = cluster().job("workspace", TrainingJobs.jobName(tracked.run())).orElseThrow();
            var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(env(container)).containsEntry("MLFLOW_TRACKING_URI", url)
                    .containsEntry("MLFLOW_RUN_ID", "team-run-1").containsEntry("MLFLOW_EXPERIMENT_ID", "5")
                    .containsEntry("FUSEML_TRACKING_SERVER", "team-mlflow");
            assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("MLFLOW_TRACKING_TOKEN")).singleElement()
                    .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getKey())
                            .isEqualTo("mlflow-tracking-token"));
            assertThat(client.getKubernetesSerialization().asYaml(job)).doesNotContain("team-token-9");
            assertThat(runSecret(tracked, "mlflow-tracking-token")).isEqualTo("team-token-9");
        } finally {
            team.stop(0);
        }
    }

    /**
     * A DVC project with dvc in its requirements, in an org with a dvc-remote: the Job's runner gets the remote as
     * DVC's config from the run's Secret (never in the Job's manifest) and its name to pull from.
     */
    @Test
    void aDvcProjectsTrainingJobGetsItsRemoteFromTheRunsSecret() throws Exception {
        FakeCodesetSource dvc = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject", MLPROJECT,
                "train.py", "print(1)", "requirements.txt", "scikit-learn\ndvc[s3]\n", ".dvc/config",
                "[core]\n    remote = storage\n", "data.csv.dvc", "outs:\n- md5: 0123\n  path: data.csv\n"));
        dev.fuseml.extension.ToolAccess tools = (run, kind, name) -> java.util.Optional.of(
                new dev.fuseml.extension.ToolAccess.Grant("team-data", kind, "s3://team/dvc", Map.of(
                        "secret_access_key", "dvc-secret-42")));
        RunRef run = new RunRef("workspace", "wine", "wine-dvc");
        new TrainingJobs(cluster(), SETTINGS, dvc, new Workspaces(dir), log, RUN_TOKENS,
                dev.fuseml.train.Tracking.NONE, null, tools).train(new dev.fuseml.train.Trainer.TrainingJob(run, REPO,
                COMMIT, null, Map.of(), "img:1", MODEL));
        Job job = cluster().job("workspace", TrainingJobs.jobName(run.run())).orElseThrow();
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(container)).containsEntry("FUSEML_DVC_REMOTE", "team-data");
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("FUSEML_DVC_CONFIG")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName())
                        .isEqualTo(TrainingJobs.tokenSecret(run.run())));
        assertThat(client.getKubernetesSerialization().asYaml(job)).doesNotContain("dvc-secret-42");
        assertThat(runSecret(run, "dvc-config")).contains("['remote \"team-data\"']", "url = \"s3://team/dvc\"",
                "secret_access_key = \"dvc-secret-42\"");
        assertThat(log.text(run.run())).contains("pulls the data DVC pins from dvc-remote extension team-data")
                .doesNotContain("dvc-secret-42");
    }

    /** A value of the run's Secret, as written (stringData) or as the API server keeps it (base64 data). */
    private String runSecret(RunRef run, String key) {
        var secret = client.secrets().inNamespace("workspace").withName(TrainingJobs.tokenSecret(run.run())).get();
        return secret.getStringData() != null && secret.getStringData().containsKey(key)
                ? secret.getStringData().get(key)
                : new String(java.util.Base64.getDecoder().decode(secret.getData().get(key)));
    }

    /** A project on Determined is trained by the train step itself (HTTP to the master): no Job is made. */
    @Test
    void onAClusterTheTrainStepFollowsADeterminedExperimentItselfAndStoresItsCheckpoint() throws Exception {
        try (var master = new dev.fuseml.train.determined.DeterminedStandIn("ana", "pw")) {
            master.next(new dev.fuseml.train.determined.DeterminedStandIn.Script(List.of("STATE_RUNNING",
                    "STATE_COMPLETED"), List.of("epoch 1"), Map.of("MLmodel",
                    "flavors:\n  sklearn: {pickled_model: model.pkl}\n".getBytes(), "model.pkl", new byte[]{1}),
                    Map.of("rmse", 0.6)));
            FakeCodesetSource onDetermined = new FakeCodesetSource().with(REPO, COMMIT, Map.of("MLproject", MLPROJECT
                    + "training: {target: determined, metric: rmse}\nserving: {memory: 1Gi}\n", "train.py",
                    "print(1)"));
            dev.fuseml.mock.FakeArtifactStore artifacts = new dev.fuseml.mock.FakeArtifactStore();
            dev.fuseml.extension.ToolAccess tools = (run, kind, name) -> java.util.Optional.of(
                    new dev.fuseml.extension.ToolAccess.Grant("gpu", kind, master.url(), Map.of("username", "ana",
                            "password", "pw")));
            RunRef run = new RunRef("workspace", "wine", "wine-det");
            var trained = new TrainingJobs(cluster(), SETTINGS, onDetermined, new Workspaces(dir), log, RUN_TOKENS,
                    dev.fuseml.train.Tracking.NONE, new dev.fuseml.train.determined.DeterminedTrainer(onDetermined,
                    new Workspaces(dir), tools, artifacts, log, Duration.ofMinutes(1),
                    new dev.fuseml.train.determined.DeterminedTraining(log, java.net.http.HttpClient.newHttpClient(),
                            Duration.ofMillis(10))), tools).train(new dev.fuseml.train.Trainer.TrainingJob(run, REPO, COMMIT,
                    null, Map.of(), "img:1", MODEL, "kserve"));

            assertThat(trained).get().satisfies(m -> {
                assertThat(m.modelUri()).isEqualTo(MODEL);
                assertThat(m.metrics()).containsEntry("rmse", 0.6);
            });
            assertThat(artifacts.artifacts.get(MODEL)).containsKeys("MLmodel", "model.pkl",
                    dev.fuseml.project.ServingSettings.FILE);
            assertThat(new String(artifacts.artifacts.get(MODEL).get(dev.fuseml.project.ServingSettings.FILE))
                    .replaceAll("\\s", "")).contains("\"memory\":\"1Gi\"", "\"serveTarget\":\"kserve\"");
            assertThat(master.created).singleElement().satisfies(c -> assertThat(c.config().path("searcher")
                    .path("metric").asText()).isEqualTo("rmse"));
            assertThat(cluster().job("workspace", TrainingJobs.jobName(run.run()))).isEmpty();
            assertThat(log.text(run.run())).contains("epoch 1", "took checkpoint");
        }
    }

    @Test
    void aSecondBuildWithTheSameDependenciesReusesTheImageAndARedeliveredTrainingMakesNoSecondJob()
            throws Exception {
        ImageBuildJobs builds = new ImageBuildJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log);
        var job = new dev.fuseml.build.EnvironmentBuilder.BuildJob(RUN, REPO, COMMIT, null, Map.of());
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return builds.build(job);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Job build = await().atMost(Duration.ofSeconds(10)).until(() -> onlyJob("build"), Optional::isPresent)
                .orElseThrow();
        markJob(build, "Complete");
        String image = first.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(builds.build(new dev.fuseml.build.EnvironmentBuilder.BuildJob(new RunRef("workspace", "wine",
                "wine-2"), REPO, COMMIT, null, Map.of()))).isEqualTo(image);
        assertThat(log.text("wine-2")).contains("exists (built by Job");

        TrainingJobs training = new TrainingJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log, RUN_TOKENS);
        var trainingJob = new dev.fuseml.train.Trainer.TrainingJob(RUN, REPO, COMMIT, null, Map.of(), image, MODEL);
        assertThat(training.train(trainingJob)).isEmpty();
        assertThat(training.train(trainingJob)).isEmpty();
        assertThat(client.batch().v1().jobs().inNamespace("workspace").list().getItems())
                .filteredOn(j -> j.getMetadata().getName().startsWith("fuseml-train")).hasSize(1);
    }

    /** As `mlflow run` does: the Job's code gets its MLflow run, and the run's token (from its Secret) for it. */
    @Test
    void aTrainingJobsCodeLogsToTheMlflowRunOfItsRun() throws Exception {
        dev.fuseml.mock.FakeTracking tracking = new dev.fuseml.mock.FakeTracking();
        TrainingJobs training = new TrainingJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log, RUN_TOKENS,
                tracking);
        training.train(new dev.fuseml.train.Trainer.TrainingJob(RUN, REPO, COMMIT, null, Map.of(), "img:1", MODEL));

        assertThat(tracking.started).containsExactly(RUN);
        var container = onlyJob("train").orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(container)).containsEntry("MLFLOW_TRACKING_URI", SETTINGS.controlPlane())
                .containsEntry("MLFLOW_EXPERIMENT_ID", "7").containsEntry("MLFLOW_RUN_ID", RUN.run())
                .doesNotContainKey("MLFLOW_TRACKING_TOKEN");
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("MLFLOW_TRACKING_TOKEN")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName())
                        .isEqualTo(TrainingJobs.tokenSecret(RUN.run())));
    }

    /**
     * With Knative's sender identity on, the org's Broker announces an audience and takes events only with a token
     * for it: the training Job gets one projected (renewed by the kubelet), and fuseml_job.py posts with it.
     */
    @Test
    void whereTheBrokerAnnouncesAnAudienceTheTrainingJobGetsAProjectedTokenForIt() throws Exception {
        installCrd("/knative-crds/eventing-broker.yaml");
        GenericKubernetesResource broker = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion("eventing.knative.dev/v1").withKind("Broker").withNewMetadata().withName("default")
                .withNamespace("workspace").endMetadata().build();
        broker.getAdditionalProperties().put("status", Map.of("address", Map.of("url",
                "http://broker-ingress.knative-eventing.svc/workspace/default", "audience",
                "eventing.knative.dev/broker/workspace/default")));
        client.genericKubernetesResources(KnativeKinds.BROKER).inNamespace("workspace").resource(broker).create();
        client.genericKubernetesResources(KnativeKinds.BROKER).inNamespace("workspace").resource(broker)
                .updateStatus(); // as Knative's controller would

        TrainingJobs training = new TrainingJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log, RUN_TOKENS);
        training.train(new dev.fuseml.train.Trainer.TrainingJob(RUN, REPO, COMMIT, null, Map.of(), "img:1", MODEL));

        Job job = onlyJob("train").orElseThrow();
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("broker-token")).singleElement()
                .satisfies(v -> assertThat(v.getProjected().getSources().get(0).getServiceAccountToken()
                        .getAudience()).isEqualTo("eventing.knative.dev/broker/workspace/default"));
        assertThat(env(pod.getContainers().get(0))).containsEntry("FUSEML_BROKER_TOKEN_FILE",
                "/var/run/fuseml/broker/token");
        assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m ->
                assertThat(m.getMountPath()).isEqualTo("/var/run/fuseml/broker"));
    }

    @Test
    void aFailedImageBuildFailsTheRunWithTheJobsReason() {
        new BuildFunction(stepRunner, new ImageBuildJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log))
                .build(event(FusemlEvents.RECEIVED, new Received(REPO, COMMIT, Map.of(), null, null)));
        Job build = await().atMost(Duration.ofSeconds(10)).until(() -> onlyJob("build"), Optional::isPresent)
                .orElseThrow();
        client.pods().inNamespace("workspace").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName(build.getMetadata().getName() + "-x1").addToLabels("job-name",
                        build.getMetadata().getName()).endMetadata().build()).create();
        markJob(build, "Failed");
        FakeEventSink.Emitted failed = await().atMost(Duration.ofSeconds(10)).until(() -> sink.emitted.stream()
                .findFirst(), Optional::isPresent).orElseThrow();
        assertThat(failed.type()).isEqualTo(FusemlEvents.FAILED);
        assertThat(failed.data().path("cause").asText()).contains("image build Job", "failed", "BackoffLimitExceeded");

        // the next run with the same dependencies tries again: the failed Job makes way for a new one
        String failedUid = build.getMetadata().getUid();
        new BuildFunction(stepRunner, new ImageBuildJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log))
                .build(CloudEventBuilder.create().id("e2").type(FusemlEvents.RECEIVED).source("test")
                        .extensions(new RunRef("workspace", "wine", "wine-2").extensions())
                        .build(new Received(REPO, COMMIT, Map.of(), null, null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> onlyJob("build").map(j -> !j.getMetadata().getUid()
                .equals(failedUid)).orElse(false));
    }

    @Test
    void aServiceThatCannotBecomeReadyFailsTheServeWithKnativesReason() {
        new ServeFunction(stepRunner, deployer(), log)
                .serve(event(FusemlEvents.REGISTERED, new Registered(1, MODEL, "registry.example:5000/x:1")));
        GenericKubernetesResource service = await().atMost(Duration.ofSeconds(10)).until(this::knativeService,
                Optional::isPresent).orElseThrow();
        markReady(service, "False", null);
        FakeEventSink.Emitted failed = await().atMost(Duration.ofSeconds(10)).until(() -> sink.emitted.stream()
                .findFirst(), Optional::isPresent).orElseThrow();
        assertThat(failed.type()).isEqualTo(FusemlEvents.FAILED);
        assertThat(failed.data().path("cause").asText()).contains("cannot serve version 1", "RevisionMissing",
                "ImagePullBackOff");
    }

    @Test
    void deletingAnAppDeletesItsServiceAndItsAnchorAndAProtectedAppKeepsItsTokenAcrossVersions() throws Exception {
        KnativeDeployer deployer = deployer();
        var serving = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                deployer.deploy(new dev.fuseml.serving.Deployer.ServeRequest("workspace", "wine", 1, MODEL,
                        "registry.example:5000/x:1", "wine-1"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        markReady(await().atMost(Duration.ofSeconds(10)).until(this::knativeService, Optional::isPresent)
                .orElseThrow(), "True", "http://wine.workspace.example.com");
        serving.get(10, java.util.concurrent.TimeUnit.SECONDS);
        String hash = "a".repeat(64);
        deployer.protect("workspace", "wine", hash);
        assertThat(knativeService().orElseThrow().toString()).contains("FUSEML_PREDICTION_TOKEN_SHA256", hash);

        deployer.remove("workspace", "wine");
        assertThat(knativeService()).isEmpty();
        assertThat(client.configMaps().inNamespace("workspace").withName("fuseml-app-wine").get()).isNull();
    }

    @Test
    void whereKServeIsInstalledAnAppIsServedByAnInferenceServiceWithItsSklearnRuntime() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().resource(
                new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
                        .withNewMetadata().withName("inferenceservices.serving.kserve.io").endMetadata()
                        .withNewSpec().withGroup("serving.kserve.io").withScope("Namespaced").withNewNames()
                        .withKind("InferenceService").withPlural("inferenceservices").endNames()
                        .addNewVersion().withName("v1beta1").withServed(true).withStorage(true).endVersion()
                        .endSpec().build()).create();
        KnativeDeployer deployer = deployer();
        new ServeFunction(stepRunner, deployer, log)
                .serve(event(FusemlEvents.REGISTERED, new Registered(1, MODEL, "registry.example:5000/x:1")));
        var services = client.genericKubernetesResources(KnativeDeployer.INFERENCE_SERVICE).inNamespace("workspace");
        GenericKubernetesResource isvc = await().atMost(Duration.ofSeconds(10)).until(() -> Optional.ofNullable(
                services.withName("wine").get()), Optional::isPresent).orElseThrow();
        Map<String, Object> predictor = map(map(isvc.getAdditionalProperties().get("spec")).get("predictor"));
        assertThat(predictor).containsEntry("minReplicas", 0);
        assertThat(map(predictor.get("model"))).containsEntry("protocolVersion", "v2").containsEntry("storageUri",
                "http://fuseml-control-plane.fuseml-system.svc/api/v1/artifacts/workspace/wine/wine-1/model/model.pkl");
        assertThat(knativeService()).isEmpty();

        // the next version changes the same InferenceService
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                deployer.deploy(new dev.fuseml.serving.Deployer.ServeRequest("workspace", "wine", 2,
                        "fuseml-artifacts:/workspace/wine/wine-2/model", "registry.example:5000/x:1", "wine-2"));
            } catch (Exception expected) {
                // it is removed below before it is ever Ready
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> services.withName("wine").get().getMetadata()
                .getLabels().get("fuseml.dev/version").equals("2"));
        deployer.remove("workspace", "wine");
        assertThat(services.withName("wine").get()).isNull();
    }

    private void installCrd(String name, String group, String kind, String plural, String version) {
        client.apiextensions().v1().customResourceDefinitions().resource(
                new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
                        .withNewMetadata().withName(name).endMetadata()
                        .withNewSpec().withGroup(group).withScope("Namespaced").withNewNames()
                        .withKind(kind).withPlural(plural).endNames()
                        .addNewVersion().withName(version).withServed(true).withStorage(true).endVersion()
                        .endSpec().build()).create();
    }

    /** An app whose MLproject says {@code serving: {serve_target: seldon, memory: 1Gi, max_scale: 4}}. */
    private void servedBySeldon() {
        for (String model : List.of(MODEL, "fuseml-artifacts:/workspace/wine/wine-2/model")) {
            storedServing.put(model, new dev.fuseml.project.ServingSettings(null, null, null, null, null, "1Gi", 4,
                    null, "seldon"));
        }
    }

    /** Seldon's own schema for the kind (functions/src/test/resources/seldon, PROVENANCE.md). */
    private static List<String> seldonSchemaProblems(String crdFile, String version, GenericKubernetesResource r)
            throws Exception {
        return seldonSchemaProblems(crdFile, version, JSON.valueToTree(r));
    }

    private static List<String> seldonSchemaProblems(String crdFile, String version,
            com.fasterxml.jackson.databind.JsonNode resource) throws Exception {
        try (var in = KubernetesPlatformTest.class.getResourceAsStream("/seldon/" + crdFile)) {
            var crd = new com.fasterxml.jackson.databind.ObjectMapper(
                    new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(in);
            return dev.fuseml.eventing.knative.CrdSchema.of(crd, version).validate(resource);
        }
    }

    /** As Seldon's controllers would: the status of the generation just applied. */
    private void markSeldon(ResourceDefinitionContext kind, Map<String, Object> status) {
        GenericKubernetesResource current = client.genericKubernetesResources(kind).inNamespace("workspace")
                .withName("wine").get();
        Map<String, Object> withGeneration = new java.util.HashMap<>(status);
        withGeneration.put("observedGeneration", current.getMetadata().getGeneration());
        current.setAdditionalProperty("status", withGeneration);
        client.genericKubernetesResources(kind).inNamespace("workspace").resource(current).updateStatus();
    }

    /** Version N of wine (model wine-N), deployed on another thread: the deployer waits for what the test marks. */
    private static java.util.concurrent.CompletableFuture<dev.fuseml.serving.Deployer.Deployment> deployAsync(
            KnativeDeployer deployer, int version) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return deployer.deploy(new dev.fuseml.serving.Deployer.ServeRequest("workspace", "wine", version,
                        "fuseml-artifacts:/workspace/wine/wine-" + version + "/model", "registry.example:5000/x:1",
                        "wine-" + version));
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private GenericKubernetesResource awaitCreated(ResourceDefinitionContext kind) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> Optional.ofNullable(client
                .genericKubernetesResources(kind).inNamespace("workspace").withName("wine").get()),
                Optional::isPresent).orElseThrow();
    }

    @Test
    void anAppThatAsksForSeldonIsServedBySeldonCore2sModelWhereItsCrdIsInstalled() throws Exception {
        installCrd("models.mlops.seldon.io", "mlops.seldon.io", "Model", "models", "v1alpha1");
        installCrd("seldondeployments.machinelearning.seldon.io", "machinelearning.seldon.io", "SeldonDeployment",
                "seldondeployments", "v1");
        servedBySeldon();
        KnativeDeployer deployer = deployer();
        var served = deployAsync(deployer, 1);
        GenericKubernetesResource model = awaitCreated(SeldonServers.MODEL);
        assertThat(seldonSchemaProblems("models.mlops.seldon.io.yaml", "v1alpha1", model)).isEmpty();
        Map<String, Object> spec = map(model.getAdditionalProperties().get("spec"));
        assertThat(spec).containsEntry("storageUri",
                "http://fuseml-control-plane.fuseml-system.svc/api/v1/artifacts/workspace/wine/wine-1/model")
                .containsEntry("requirements", List.of("mlflow")).containsEntry("memory", "1Gi")
                .containsEntry("maxReplicas", 4);
        assertThat(model.getMetadata().getLabels()).containsEntry("fuseml.dev/version", "1");
        assertThat(served).isNotDone();
        markSeldon(SeldonServers.MODEL, Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
        assertThat(served.get(10, java.util.concurrent.TimeUnit.SECONDS).url())
                .isEqualTo("http://seldon-mesh.workspace.svc.cluster.local/v2/models/wine/infer");
        assertThat(knativeService()).isEmpty();
        assertThat(client.genericKubernetesResources(SeldonServers.SELDON_DEPLOYMENT).inNamespace("workspace")
                .list().getItems()).isEmpty();

        // the next version changes the same Model, and is served once Seldon says it is Ready
        java.util.concurrent.CompletableFuture<dev.fuseml.serving.Deployer.Deployment> next = deployAsync(deployer, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> "2".equals(client.genericKubernetesResources(
                SeldonServers.MODEL).inNamespace("workspace").withName("wine").get().getMetadata().getLabels()
                .get("fuseml.dev/version")));
        assertThat(next).isNotDone();
        markSeldon(SeldonServers.MODEL, Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
        assertThat(next.get(10, java.util.concurrent.TimeUnit.SECONDS).url()).endsWith("/v2/models/wine/infer");

        deployer.remove("workspace", "wine");
        assertThat(client.genericKubernetesResources(SeldonServers.MODEL).inNamespace("workspace").withName("wine")
                .get()).isNull();
    }

    @Test
    void withSeldonCore1OnlyAnAppIsServedByASeldonDeploymentWithTheMlflowServerAndAFailureNamesItsCause()
            throws Exception {
        installCrd("seldondeployments.machinelearning.seldon.io", "machinelearning.seldon.io", "SeldonDeployment",
                "seldondeployments", "v1");
        servedBySeldon();
        KnativeDeployer deployer = deployer();
        var served = deployAsync(deployer, 1);
        GenericKubernetesResource deployment = awaitCreated(SeldonServers.SELDON_DEPLOYMENT);
        assertThat(seldonSchemaProblems("seldondeployments.machinelearning.seldon.io.yaml", "v1", deployment))
                .isEmpty();
        // the schema check can fail: a predictor without its graph, or with a field Seldon does not know
        var broken = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.valueToTree(deployment);
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.at("/spec/predictors/0")).remove("graph");
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.at("/spec")).put("replica", 2);
        assertThat(seldonSchemaProblems("seldondeployments.machinelearning.seldon.io.yaml", "v1", broken))
                .anyMatch(p -> p.contains("graph")).anyMatch(p -> p.contains("replica"));
        Map<String, Object> spec = map(deployment.getAdditionalProperties().get("spec"));
        assertThat(spec).containsEntry("protocol", "v2");
        Map<String, Object> predictor = map(((List<?>) spec.get("predictors")).get(0));
        assertThat(map(predictor.get("graph"))).containsEntry("implementation", "MLFLOW_SERVER")
                .containsEntry("modelUri",
                        "http://fuseml-control-plane.fuseml-system.svc/api/v1/artifacts/workspace/wine/wine-1/model");
        markSeldon(SeldonServers.SELDON_DEPLOYMENT, Map.of("state", "Available"));
        assertThat(served.get(10, java.util.concurrent.TimeUnit.SECONDS).url())
                .isEqualTo("http://wine-default.workspace.svc.cluster.local:8000/v2/models/model/infer");

        // the next version does not load: the serve fails naming what Seldon said
        var failed = deployAsync(deployer, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> "2".equals(client.genericKubernetesResources(
                SeldonServers.SELDON_DEPLOYMENT).inNamespace("workspace").withName("wine").get().getMetadata()
                .getLabels().get("fuseml.dev/version")));
        markSeldon(SeldonServers.SELDON_DEPLOYMENT, Map.of("state", "Failed", "description",
                "Deployment does not have minimum availability"));
        assertThatThrownBy(() -> failed.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(dev.fuseml.step.StepFailure.class)
                .rootCause().hasMessageContaining("cannot serve version 2", "minimum availability");
        deployer.remove("workspace", "wine");
    }

    @Test
    void anAppThatAsksForSeldonOnAClusterWithoutItFailsItsServeNamingBothCrdsAndTheFix() {
        servedBySeldon();
        new ServeFunction(stepRunner, deployer(), log)
                .serve(event(FusemlEvents.REGISTERED, new Registered(1, MODEL, "registry.example:5000/x:1")));
        FakeEventSink.Emitted failed = await().atMost(Duration.ofSeconds(10)).until(() -> sink.emitted.stream()
                .findFirst(), Optional::isPresent).orElseThrow();
        assertThat(failed.data().path("cause").asText()).contains("serve_target is seldon",
                "models.mlops.seldon.io", "seldondeployments.machinelearning.seldon.io", "install Seldon Core");
        assertThat(knativeService()).isEmpty();
    }

    @Test
    void aClusterWithoutKnativeServingFailsTheServeNamingTheMissingCrd() {
        client.apiextensions().v1().customResourceDefinitions().withName("services.serving.knative.dev").delete();
        new ServeFunction(stepRunner, deployer(), log)
                .serve(event(FusemlEvents.REGISTERED, new Registered(1, MODEL, "registry.example:5000/x:1")));
        FakeEventSink.Emitted failed = await().atMost(Duration.ofSeconds(10)).until(() -> sink.emitted.stream()
                .findFirst(), Optional::isPresent).orElseThrow();
        assertThat(failed.data().path("cause").asText()).contains("services.serving.knative.dev",
                "install Knative Serving");
    }

    @Test
    void runnerScriptsOfAnEarlierVersionAreReplacedInTheOrgsNamespace() {
        client.configMaps().inNamespace("workspace").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName(Cluster.RUNNER).endMetadata().addToData("fuseml_job.py", "# old")
                .build()).create();
        cluster().ensureRunnerFiles("workspace");
        assertThat(client.configMaps().inNamespace("workspace").withName(Cluster.RUNNER).get().getData())
                .containsEntry("fuseml_job.py", Cluster.runnerFile("fuseml_job.py"));
    }

    @Test
    void aTrainingJobTakesOnlyAnHttpCodesetAndACommitIdForGitsArguments() {
        TrainingJobs training = new TrainingJobs(cluster(), SETTINGS, codesets, new Workspaces(dir), log, RUN_TOKENS);
        for (String[] bad : new String[][]{{REPO, "--upload-pack=touch /tmp/x"}, {"--config=x", COMMIT},
                {"file:///etc", COMMIT}}) {
            var refused = org.junit.jupiter.api.Assertions.assertThrows(dev.fuseml.step.StepFailure.class,
                    () -> training.train(new dev.fuseml.train.Trainer.TrainingJob(RUN, bad[0], bad[1], null,
                            Map.of(), "registry.example:5000/x:1", MODEL)));
            assertThat(refused.getMessage()).containsAnyOf("not an http(s) URL", "not a commit id");
        }
        assertThat(client.batch().v1().jobs().inNamespace("workspace").list().getItems()).isEmpty();
    }

    @Test
    void jobAndServiceNamesFitKubernetesLimitsWhateverTheRunIdAndStayDistinct() {
        String longRun = "a-very-long-application-name-that-goes-on-" + "x".repeat(40) + "-20261127";
        String name = TrainingJobs.jobName(longRun);
        assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(TrainingJobs.jobName(longRun + "2")).isNotEqualTo(name).hasSizeLessThanOrEqualTo(63);
        assertThat(TrainingJobs.jobName("wine-1")).isEqualTo("fuseml-train-wine-1");
        assertThat(Names.label("Wine_App")).isEqualTo("wine-app");
    }

    private Optional<Job> onlyJob(String step) {
        return client.batch().v1().jobs().inNamespace("workspace").list().getItems().stream()
                .filter(j -> step.equals(j.getMetadata().getLabels().get(Cluster.STEP_LABEL))).findFirst();
    }

    private Optional<GenericKubernetesResource> knativeService() {
        return Optional.ofNullable(client.genericKubernetesResources(KnativeDeployer.KNATIVE_SERVICE)
                .inNamespace("workspace").withName("wine").get());
    }

    /** As the Job controller would: the Job's condition becomes true. */
    private void markJob(Job job, String condition) {
        Job current = client.batch().v1().jobs().inNamespace("workspace").withName(job.getMetadata().getName()).get();
        current.setStatus(new JobStatusBuilder().addNewCondition().withType(condition).withStatus("True")
                .withReason(condition.equals("Failed") ? "BackoffLimitExceeded" : null).endCondition().build());
        client.batch().v1().jobs().inNamespace("workspace").resource(current).updateStatus();
    }

    /** As Knative Serving would: the Service's Ready condition, for the generation just applied. */
    private void markReady(GenericKubernetesResource service, String ready, String url) {
        GenericKubernetesResource current = client.genericKubernetesResources(KnativeDeployer.KNATIVE_SERVICE)
                .inNamespace("workspace").withName(service.getMetadata().getName()).get();
        Map<String, Object> condition = new java.util.HashMap<>(Map.of("type", "Ready", "status", ready));
        if (!"True".equals(ready)) {
            condition.put("reason", "RevisionMissing");
            condition.put("message", "Back-off pulling image: ImagePullBackOff");
        }
        Map<String, Object> status = new java.util.HashMap<>();
        status.put("conditions", List.of(condition));
        status.put("observedGeneration", current.getMetadata().getGeneration());
        if (url != null) {
            status.put("url", url);
        }
        current.setAdditionalProperty("status", status);
        client.genericKubernetesResources(KnativeDeployer.KNATIVE_SERVICE).inNamespace("workspace").resource(current)
                .updateStatus();
    }

    private static Map<String, String> env(Container container) {
        Map<String, String> values = new java.util.HashMap<>();
        for (EnvVar e : container.getEnv()) {
            if (e.getValue() != null) {
                values.put(e.getName(), e.getValue());
            }
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
