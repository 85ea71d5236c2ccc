package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.eventing.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Start the orchestrator on this machine (embedded: no Kubernetes, no Docker) and record its "
                + "URL in the config. Running it again while it runs changes nothing.")
public class InstallCommand extends FusemlCommand {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where codesets, environments, models and runs are kept (default: $XDG_DATA_HOME/fuseml "
                    + "or $HOME/.local/share/fuseml).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "0", description = "API port (default: a free one).")
    int port;

    @Option(names = "--server-jar", paramLabel = "JAR",
            description = "The orchestrator's quarkus-run.jar (default: $FUSEML_SERVER_JAR, or the one built "
                    + "beside this CLI).")
    Path serverJar;

    @Option(names = "--timeout", defaultValue = "PT2M", description = "How long to wait for it to answer (for "
            + "--kubernetes: to be Ready; default there PT5M).")
    Duration timeout;

    @Option(names = "--kubernetes", description = "Install on the Kubernetes cluster with Knative of the current "
            + "kubeconfig context (or --context): applies config/, waits until everything is Ready.")
    boolean kubernetes;

    @Option(names = "--context", paramLabel = "NAME", description = "With --kubernetes: the kubeconfig context.")
    String context;

    @Option(names = "--server", paramLabel = "URL", description = "With --kubernetes: the control plane's URL as "
            + "this machine reaches it (an ingress, or a port-forward); default: its in-cluster URL.")
    String server;

    @Override
    public Integer call() throws Exception {
        CliConfig config = config();
        if (kubernetes) {
            // its own class: the Kubernetes client loads only for Kubernetes commands, so --help stays fast
            String token = config.token() != null ? config.token() : Tokens.create();
            String url = KubernetesTarget.install(context, Tokens.sha256(token), timeout, out());
            config.onKubernetes(server != null ? server : url, context).withToken(token).save(global().configPath());
            println("FuseML is installed on " + (context == null ? "the current context" : "context " + context)
                    + "; the control plane is " + url + (server == null ? " (inside the cluster: pass --server "
                    + "with a URL this machine reaches, such as a port-forward of svc/fuseml-control-plane)" : ""));
            return 0;
        }
        if (context != null || server != null) {
            throw new CliException("--context and --server go with --kubernetes");
        }
        if (config.server() != null) {
            Optional<JsonNode> running = new OrchestratorClient(config.server(), config.effectiveToken()).status();
            if (running.isPresent()) {
                println("FuseML is already running at " + config.server() + " (pid " + running.get().path("pid")
                        .asText() + ")");
                return 0;
            }
        }
        Path jar = locateJar();
        Path data = dataDir != null ? dataDir : config.dataDir() != null ? Path.of(config.dataDir()) : defaultData();
        Files.createDirectories(data);
        int apiPort = port != 0 ? port : previousPort(config.server()).orElse(freePort());
        // The admin token: made once, kept in the config (mode 0600); the orchestrator gets its hash only.
        String token = config.token() != null ? config.token() : Tokens.create();
        Path log = data.resolve("orchestrator.log");
        OrchestratorJvm jvm = OrchestratorJvm.choose(jar, data);
        List<String> jvmOptions = List.of("-XX:+UseSerialGC", "-Xmx256m",
                "-XX:MaxMetaspaceSize=128m", "-Xss512k", "-XX:ReservedCodeCacheSize=64m",
                "-Dsun.net.httpserver.nodelay=true", "-Dquarkus.http.port=" + apiPort,
                "-Dfuseml.data-dir=" + data.toAbsolutePath(), "-Dfuseml.admin-token-sha256=" + Tokens.sha256(token),
                // the config holds the admin token: users' code must not read it wherever it lives
                "-Dfuseml.sandbox-hide=" + global().configPath().toAbsolutePath());
        String url = "http://127.0.0.1:" + apiPort;
        if (jvm.needsTraining()) {
            println("Training the orchestrator's AOT cache for this build on its JDK (once; about 10 s)...");
            train(jvm, command(jvm, jvmOptions, jvm.trainingOptions(), jar), log, url, token);
        }
        Process process = launch(command(jvm, jvmOptions, jvm.options(), jar), log);
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<JsonNode> status = awaitStatus(process, new OrchestratorClient(url), deadline, log);
        if (status.isPresent()) {
            config().withServer(url, process.pid(), data.toAbsolutePath().toString()).withToken(token)
                    .save(global().configPath());
            println("FuseML is running at " + url + " (pid " + process.pid() + ", data in " + data + ")");
            println("It runs " + jvm.description() + ".");
            println(StatusCommand.sandboxLine(status.get()));
            return 0;
        }
        process.destroy();
        throw new CliException("the orchestrator did not answer within " + timeout + "; see " + log);
    }

    private static List<String> command(OrchestratorJvm jvm, List<String> options, List<String> aot, Path jar) {
        List<String> command = new ArrayList<>(List.of(jvm.java().toString()));
        command.addAll(options);
        command.addAll(aot);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        return command;
    }

    private static Process launch(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** The status once the orchestrator answers; empty when the deadline passed. */
    private static Optional<JsonNode> awaitStatus(Process process, OrchestratorClient client, long deadline, Path log)
            throws InterruptedException, IOException {
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new CliException("the orchestrator stopped during start-up (exit code " + process.exitValue()
                        + "); its log " + log + " ends with:\n" + tail(log));
            }
            Optional<JsonNode> status = client.status();
            if (status.isPresent()) {
                return status;
            }
            Thread.sleep(100); // polling a process we started: it has no way to call us back
        }
        return Optional.empty();
    }

    /**
     * The AOT cache's training run: the orchestrator starts with the data it will have, answers what a CLI and the
     * web page ask first, and stops; its JVM writes the cache on the way out. A run that fails leaves no cache and
     * the install goes on without one.
     */
    private void train(OrchestratorJvm jvm, List<String> command, Path log, String url, String token)
            throws IOException, InterruptedException {
        Process training = launch(command, log);
        try {
            if (awaitStatus(training, new OrchestratorClient(url), System.nanoTime() + timeout.toNanos(), log)
                    .isPresent()) {
                OrchestratorClient client = new OrchestratorClient(url, token);
                for (String path : List.of("/api/v1/orgs", "/api/v1/orgs/workspace/apps", "/q/health/ready",
                        "/q/openapi", "/ui/")) {
                    try {
                        client.text(path);
                    } catch (RuntimeException e) {
                        // an answer that is no 2xx trains as well
                    }
                }
            }
        } catch (CliException e) {
            println("The training run failed; starting without the cache (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")");
        } finally {
            training.destroy();
            if (!training.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)) {
                training.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                jvm.discardCache();
            }
        }
    }

    private Path locateJar() throws URISyntaxException {
        if (serverJar != null) {
            return requireJar(serverJar);
        }
        String env = System.getenv("FUSEML_SERVER_JAR");
        if (env != null && !env.isBlank()) {
            return requireJar(Path.of(env));
        }
        // The CLI runs from cli/target/fuseml-cli.jar of the repository; the orchestrator is built beside it.
        Path cliJar = Path.of(InstallCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path repo = cliJar.getParent().getParent().getParent();
        return requireJar(repo.resolve("functions/target/quarkus-app/quarkus-run.jar"));
    }

    private static Path requireJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new CliException("the orchestrator is not built at " + jar + ": run './fuseml' from the "
                    + "repository (it builds everything), or pass --server-jar");
        }
        return jar;
    }

    static Path defaultData() {
        String xdg = System.getenv("XDG_DATA_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "fuseml")
                : Path.of(CliConfig.home(), ".local", "share", "fuseml");
    }

    /**
     * The port of the last run, when it is free again: the codeset and artifact URLs that runs in flight carry stay
     * valid across a restart.
     */
    private static Optional<Integer> previousPort(String server) {
        if (server == null) {
            return Optional.empty();
        }
        try {
            int previous = java.net.URI.create(server).getPort();
            if (previous <= 0) {
                return Optional.empty();
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", previous));
            }
            return Optional.of(previous);
        } catch (IOException | IllegalArgumentException taken) {
            return Optional.empty();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
