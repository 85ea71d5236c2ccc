package dev.fuseml.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * One process of the orchestrator's build, started as a Knative Service per step would be: the role in
 * FUSEML_FUNCTION, the port in PORT, and nothing but URLs (and its own data directory) in its environment.
 */
final class FunctionProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    final String role;
    final int port;
    final Path dataDir;
    private final Map<String, String> env;
    private final List<String> properties;
    private Process process;

    FunctionProcess(String role, int port, Path dataDir, Map<String, String> env, List<String> properties) {
        this.role = role;
        this.port = port;
        this.dataDir = dataDir;
        this.env = new LinkedHashMap<>(env);
        this.properties = List.copyOf(properties);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    FunctionProcess start() throws IOException {
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-Xms16m", "-Xmx256m",
                "-XX:TieredStopAtLevel=1"));
        command.addAll(properties);
        command.addAll(List.of("-jar", CliProcess.repo().resolve("functions/target/quarkus-app/quarkus-run.jar")
                .toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling(dataDir.getFileName()
                        + ".log").toFile()));
        Map<String, String> environment = builder.environment();
        Map<String, String> kept = new LinkedHashMap<>();
        // The machine's basics and pip's settings only (pip reads them from HOME's config and PIP_*); the rest is URLs.
        System.getenv().forEach((name, value) -> {
            if (List.of("PATH", "HOME", "LANG").contains(name) || name.startsWith("PIP_")) {
                kept.put(name, value);
            }
        });
        environment.clear();
        environment.putAll(kept);
        environment.put("FUSEML_FUNCTION", role);
        environment.put("PORT", Integer.toString(port));
        environment.put("FUSEML_DATA_DIR", dataDir.toString());
        environment.putAll(env);
        process = builder.start();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(this::answers);
        return this;
    }

    private boolean answers() throws InterruptedException {
        if (!process.isAlive()) {
            throw new AssertionError(role + " exited during start-up; see " + dataDir + ".log");
        }
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/none")).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    /** As the kernel kills a process: no shutdown hooks, no goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
