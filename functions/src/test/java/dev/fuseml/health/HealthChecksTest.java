package dev.fuseml.health;

import com.sun.net.httpserver.HttpServer;
import dev.fuseml.eventing.broker.Broker;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Each check on its own, fed what makes it fail as well as what makes it pass. */
class HealthChecksTest {
    @TempDir
    Path dir;

    @Test
    void aWritableDataDirectoryIsReady() {
        HealthCheckResponse r = new DataDirCheck(dir.resolve("data")).call();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(dir.resolve("data")).isEmptyDirectory(); // the probe file is gone
    }

    @Test
    void aDataDirectoryThatCannotBeWrittenIsNotReadyAndTheProblemNamesTheFix() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x"); // root writes anywhere, a file is no dir
        HealthCheckResponse r = new DataDirCheck(file).call();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(r.getData().orElseThrow().get("problem").toString()).contains("FUSEML_DATA_DIR");
    }

    @Test
    void aControlPlaneThatAnswersItsStatusRouteIsReachable() throws Exception {
        HttpServer server = statusServer(200);
        try {
            assertThat(new ControlPlaneCheck(() -> url(server)).call().getStatus())
                    .isEqualTo(HealthCheckResponse.Status.UP);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aControlPlaneThatAnswersWithAnErrorIsNotReady() throws Exception {
        HttpServer server = statusServer(503);
        try {
            HealthCheckResponse r = new ControlPlaneCheck(() -> url(server)).call();
            assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(r.getData().orElseThrow().get("problem").toString()).contains("503")
                    .contains("FUSEML_CONTROL_PLANE");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aControlPlaneNobodyListensForIsNotReady() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String base = "http://127.0.0.1:" + port;
        assertThat(new ControlPlaneCheck(() -> base).call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    }

    @Test
    void aBrokerWhoseLogWriterEndedIsNotAlive() throws Exception {
        Broker broker = new Broker(dir.resolve("broker"));
        BrokerWriterCheck check = new BrokerWriterCheck("embedded", broker::writerTrouble);
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        broker.close();
        HealthCheckResponse r = check.call();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(r.getData().orElseThrow().get("problem").toString()).contains("closed");
    }

    @Test
    void aProcessWithoutABrokerIsAlive() {
        assertThat(new BrokerWriterCheck("none", Optional::empty).call().getStatus())
                .isEqualTo(HealthCheckResponse.Status.UP);
    }

    private static HttpServer statusServer(int status) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/api/v1/status", exchange -> {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }
}
