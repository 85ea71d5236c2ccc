package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * examples/custom-chain as a platform team would use it: the quality gate (a Quarkus Funqy function of its own, run
 * as its own process) inserted between train and register with Knative Trigger YAML, the default register trigger
 * overridden in the org. A model that passes is served, one that fails ends failed with the gate's cause and
 * registers nothing, a gate that is down fails the run through the dead-letter sink, and deleting the triggers
 * restores the default chain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CustomChainIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CliProcess cli;
    private Process gate;
    private int gatePort;

    @BeforeAll
    void installPushAndInsertTheGate() throws Exception {
        cli = CliProcess.installed("fuseml-chain", Map.of());
        CliProcess.Result first = cli.run("push", "wine", example().toString());
        assertThat(first.exitCode()).as(first.all()).isZero();
        startGate();
        Path triggers = cli.home().resolve("triggers.yaml");
        Files.writeString(triggers, Files.readString(CliProcess.repo().resolve("examples/custom-chain/triggers.yaml"))
                .replace("http://127.0.0.1:8090/", "http://127.0.0.1:" + gatePort + "/"));
        CliProcess.Result applied = cli.run("triggers", "apply", triggers.toString());
        assertThat(applied.exitCode()).as(applied.all()).isZero();
        assertThat(applied.out()).contains("overrides the default chain's fuseml-register");
    }

    @AfterAll
    void stop() throws Exception {
        if (gate != null) {
            gate.destroyForcibly();
        }
        cli.purge();
    }

    private void startGate() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            gatePort = socket.getLocalPort();
        }
        Path jar = CliProcess.repo().resolve("examples/custom-chain/quality-gate/target/quarkus-app/quarkus-run.jar");
        gate = new ProcessBuilder("java", "-Dquarkus.http.port=" + gatePort, "-Dquarkus.http.host=127.0.0.1",
                "-Dgate.minimum=0.15", "-jar", jar.toString()).redirectErrorStream(true)
                .redirectOutput(cli.home().resolve("gate.log").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket("127.0.0.1", gatePort)) {
                return true;
            }
        });
    }

    @Test
    @Order(1)
    void theDefaultTriggersShowTheOverride() throws Exception {
        JsonNode triggers = JSON.readTree(cli.run("triggers", "-o", "json").out());
        assertThat(triggers.toString()).contains("overridden in workspace");
        String table = cli.run("triggers").out();
        assertThat(table).contains("quality-gate", "overrides the default chain's fuseml-register in this org");
    }

    @Test
    @Order(2)
    void aModelThatPassesTheGateIsRegisteredAndServed() throws Exception {
        CliProcess.Result push = cli.run("push", "wine", example().toString(), "-P", "alpha=0.5", "--timeout", "PT4M");
        assertThat(push.exitCode()).as(push.all()).isZero();
        assertThat(push.out()).contains("Version 2 of wine is served");
    }

    @Test
    @Order(3)
    void aModelThatFailsTheGateEndsFailedWithTheGatesCauseAndRegistersNothing() throws Exception {
        CliProcess.Result push = cli.run("push", "wine", example().toString(), "-P", "alpha=5", "--timeout", "PT4M");
        assertThat(push.exitCode()).as(push.all()).isEqualTo(1);
        assertThat(push.out()).contains("failed at quality-gate", "quality gate: r2 = 0.05",
                "is below the minimum 0.15");
        assertThat(versions()).hasSize(2);
    }

    @Test
    @Order(4)
    void aGateThatNeverAnswersFailsTheRunThroughTheDeadLetterSink() throws Exception {
        gate.destroyForcibly().waitFor();
        CliProcess.Result push = cli.run("push", "wine", example().toString(), "-P", "alpha=0.4", "--timeout", "PT4M");
        assertThat(push.exitCode()).as(push.all()).isEqualTo(1);
        assertThat(push.out()).contains("failed at delivery", "dev.fuseml.trained could not be delivered",
                "127.0.0.1:" + gatePort);
        assertThat(versions()).hasSize(2);
    }

    @Test
    @Order(5)
    void deletingTheTriggersRestoresTheDefaultChain() throws Exception {
        for (String trigger : List.of("quality-gate", "fuseml-register")) {
            CliProcess.Result deleted = cli.run("triggers", "delete", trigger);
            assertThat(deleted.exitCode()).as(deleted.all()).isZero();
        }
        assertThat(cli.run("triggers", "-o", "json").out()).doesNotContain("overridden in");
        CliProcess.Result push = cli.run("push", "wine", example().toString(), "-P", "alpha=5", "--timeout", "PT4M");
        assertThat(push.exitCode()).as("no gate any more: " + push.all()).isZero();
        assertThat(push.out()).contains("Version 3 of wine is served");
    }

    private JsonNode versions() throws Exception {
        return JSON.readTree(cli.run("models", "wine", "-o", "json").out());
    }

    private static Path example() {
        return CliProcess.repo().resolve("examples/sklearn-wine");
    }
}
