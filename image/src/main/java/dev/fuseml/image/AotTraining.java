package dev.fuseml.image;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Trains one JDK AOT cache per role of the image (JEP 483/514: classes loaded and linked, method profiles) on the
 * image's own file system, staged as the image will have it (same runtime, same jars, same modification times, same
 * relative class path from the role's build directory, {@link ImageBuilder#home}), and then proves each cache: the
 * role starts again with {@code -XX:AOTMode=on}, which refuses to run on a cache that does not fit, and answers the
 * same event. A stale or unusable cache therefore fails the image build, not a pod.
 *
 * <p>Each role is trained on what it does in production, not only its start: a control plane (itself trained)
 * answers the functions' claims, and each function gets one CloudEvent of the type its Trigger delivers, which it
 * accepts and answers (receive and register with a reply saying why the referenced code or model cannot be had,
 * build, train and serve with their acceptance), so the event path, the claim round trip and the reply are in the
 * cache.
 */
final class AotTraining {
    static final List<String> STEPS = List.of("receive", "build", "train", "register", "serve");
    static final String CONTROL_PLANE = "control-plane";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** The type each step's Trigger delivers (docs/EVENTS.md). */
    private static final Map<String, String> TRIGGER = Map.of("receive", "dev.fuseml.push",
            "build", "dev.fuseml.received", "train", "dev.fuseml.built", "register", "dev.fuseml.trained",
            "serve", "dev.fuseml.registered");

    private final Path root;
    private final Path java;
    private final Path work;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param root the staged image's file system: each role's build (quarkus-run.jar and its lib/) at its
     *             {@link ImageBuilder#home}, where its cache goes under {@code aot/}
     * @param java the staged runtime's {@code bin/java}
     * @param work scratch: the roles' data directories and logs
     */
    AotTraining(Path root, Path java, Path work) {
        this.root = root;
        this.java = java;
        this.work = work;
    }

    /** Trains and proves every role's cache; returns the caches' total size in bytes. */
    long trainAll() throws Exception {
        for (String role : ImageBuilder.ROLES) {
            Files.createDirectories(home(role).resolve(ImageBuilder.AOT_DIR));
        }
        int broker = freePort();
        Role controlPlane = start(CONTROL_PLANE, training(CONTROL_PLANE), Map.of(), broker);
        try {
            controlPlane.awaitReady();
            // what a control plane serves besides claims: the status, health and OpenAPI routes, an org's listing
            for (String path : List.of("/api/v1/status", "/q/health/ready", "/q/health/live", "/q/openapi",
                    "/api/v1/orgs/workspace/apps")) {
                controlPlane.get(path);
            }
            for (String step : STEPS) {
                Role trained = start(step, training(step), functionEnv(controlPlane), 0);
                try {
                    trained.awaitReady();
                    trained.event(step);
                } finally {
                    trained.stop();
                }
                trained.requireCache(cache(step));
            }
        } finally {
            controlPlane.stop();
        }
        controlPlane.requireCache(cache(CONTROL_PLANE));

        // Proof: with AOTMode=on the JVM refuses a cache that does not fit this runtime, these jars or these flags.
        Role proved = start(CONTROL_PLANE, proof(CONTROL_PLANE), Map.of(), freePort());
        try {
            proved.awaitReady();
            for (String step : STEPS) {
                Role function = start(step, proof(step), functionEnv(proved), 0);
                try {
                    function.awaitReady();
                    function.event(step);
                } finally {
                    function.stop();
                }
            }
        } finally {
            proved.stop();
        }
        long bytes = 0;
        for (String role : ImageBuilder.ROLES) {
            bytes += Files.size(cache(role));
        }
        return bytes;
    }

    private List<String> training(String role) {
        return List.of("-XX:AOTCacheOutput=" + cache(role));
    }

    /** The cache in use, and a JVM that refuses to start when it cannot use it. */
    private List<String> proof(String role) {
        return List.of("-XX:AOTCache=" + cache(role), "-XX:AOTMode=on");
    }

    /** The staged directory of the build that runs {@code role}. */
    private Path home(String role) {
        return root.resolve(ImageBuilder.home(role).substring(1));
    }

    private Path cache(String role) {
        return home(role).resolve(ImageBuilder.AOT_DIR).resolve(role + ".aot");
    }

    private static Map<String, String> functionEnv(Role controlPlane) {
        return Map.of("FUSEML_CONTROL_PLANE", "http://127.0.0.1:" + controlPlane.port,
                "K_SINK", "http://127.0.0.1:" + controlPlane.brokerPort + "/workspace/default");
    }

    /**
     * Starts a role as its pod would (the image's options for it, its working directory its build's), with
     * {@code aotOptions} that write or prove its cache.
     */
    private Role start(String role, List<String> aotOptions, Map<String, String> env, int brokerPort)
            throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(ImageBuilder.jvmOptions(role));
        if (brokerPort > 0) {
            command.add("-Dfuseml.broker-port=" + brokerPort);
            for (String step : STEPS) { // the control plane is trained alone: its steps' addresses answer nothing
                command.add("-Dfuseml.steps." + step + "=http://127.0.0.1:1");
            }
        }
        command.addAll(aotOptions);
        // relative to the working directory, the staged build, as the pod's quarkus-run.jar is to its home
        command.addAll(List.of("-jar", "quarkus-run.jar"));
        Path log = work.resolve(role + "-" + UUID.randomUUID().toString().substring(0, 8) + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(home(role).toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", "/usr/bin:/bin");
        environment.put("LANG", "C.UTF-8");
        environment.put("HOME", work.toString());
        environment.put("FUSEML_FUNCTION", role);
        environment.put("PORT", Integer.toString(port));
        environment.put("FUSEML_DATA_DIR", Files.createDirectories(work.resolve("data-" + log.getFileName()))
                .toString());
        environment.putAll(env);
        return new Role(role, builder.start(), port, brokerPort, log);
    }

    private final class Role {
        private final String name;
        private final Process process;
        private final int port;
        private final int brokerPort;
        private final Path log;

        Role(String name, Process process, int port, int brokerPort, Path log) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.brokerPort = brokerPort;
            this.log = log;
        }

        /** Until its readiness route answers 200 (what Knative's probe asks), or it exits. */
        void awaitReady() throws Exception {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw failure("exited with " + process.exitValue() + " before it was ready");
                }
                try {
                    if (get("/q/health/ready") == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                // polling a process we started (it has no way to call us back), not synchronising threads
                Thread.sleep(50);
            }
            throw failure("was not ready within " + START_TIMEOUT.toSeconds() + " s");
        }

        int get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        /** Posts the event the step's Trigger delivers, in binary mode, and requires that it is taken (2xx). */
        void event(String step) throws Exception {
            String run = "aot-" + UUID.randomUUID().toString().substring(0, 8);
            String data = switch (step) {
                case "receive" -> "{\"repository\":\"http://127.0.0.1:1/git/workspace/none.git\",\"commit\":\"main\"}";
                case "register" -> "{\"repository\":\"http://127.0.0.1:1/x.git\",\"commit\":\"" + "0".repeat(40)
                        + "\",\"params\":{},\"environment\":\"venv:00\",\"modelUri\":\"fuseml-artifacts:/workspace/"
                        + "aot/" + run + "/model\",\"metrics\":{}}";
                default -> "{\"version\":1,\"modelUri\":\"fuseml-artifacts:/workspace/aot/" + run + "/model\"}";
            };
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/" + step)).timeout(Duration.ofSeconds(60))
                    .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                    .header("ce-type", TRIGGER.get(step)).header("ce-source", "fuseml-image-build")
                    .header("ce-fusemlorg", "workspace").header("ce-fusemlapp", "aot").header("ce-fusemlrun", run)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                throw failure("answered its training event with " + answer.statusCode() + ": " + answer.body());
            }
        }

        /** SIGTERM, as Kubernetes stops a pod; a training JVM writes its cache on the way out. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }

        void requireCache(Path cache) throws IOException {
            if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
                throw failure("wrote no AOT cache " + cache);
            }
        }

        IllegalStateException failure(String what) {
            String tail;
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                tail = "(no log: " + e.getMessage() + ")";
            }
            return new IllegalStateException("AOT training: the " + name + " role " + what + "; its log ends:\n"
                    + tail);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
