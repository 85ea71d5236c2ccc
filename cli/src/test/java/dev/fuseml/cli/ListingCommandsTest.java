package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the listing commands print of the API's answers, against a fake orchestrator (no server). */
class ListingCommandsTest {
    @TempDir
    Path dir;

    private static JsonNode json(String text) {
        try {
            return OrchestratorClient.JSON.readTree(text.replace('\'', '"'));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final Map<String, JsonNode> API = Map.of(
            "/api/v1/orgs/workspace/runs?app=wine", json("[{'id': 'wine-1', 'app': 'wine', 'status': 'succeeded', "
                    + "'version': 1, 'commit': '0123456789abcdef', 'created': '2026-12-04T21:00:00Z', "
                    + "'params': {'alpha': '0.5'}, 'metrics': {'rmse': 0.7312, 'r2': 0.25}}]"),
            "/api/v1/orgs/workspace/apps/wine/registry", json("{'app': 'wine', 'served': 1, 'aliases': "
                    + "{'champion': 1}, 'versions': [{'app': 'wine', 'version': 1, 'run': 'wine-1', 'commit': "
                    + "'0123456789abcdef', 'metrics': {'rmse': 0.7312}, 'params': {'l1_ratio': '0.1'}, 'datasets': "
                    + "[{'path': 'data/wine.csv', 'md5': 'a304afb96060aad9', 'source': 'data/wine.csv.dvc'}]}]}"),
            "/api/v1/orgs/workspace/extensions", json("{'extensions': [{'org': 'workspace', 'name': 'team-mlflow', "
                    + "'kind': 'mlflow', 'url': 'http://mlflow.team:5000', 'credentials': true}, {'org': '*', "
                    + "'name': 'lake', 'kind': 's3', 'url': 's3://lake', 'credentials': false}]}"));

    static Stream<Arguments> listings() {
        return Stream.of(
                Arguments.of(Named.of("runs shows each run's metrics", List.of("runs", "wine")),
                        List.of("wine-1", "succeeded", "01234567", "rmse=0.7312 r2=0.2500")),
                Arguments.of(Named.of("models shows versions with aliases, metrics and params",
                        List.of("models", "wine")), List.of("wine", "champion", "rmse=0.7312", "l1_ratio=0.1")),
                Arguments.of(Named.of("models shows the dataset versions DVC pinned",
                        List.of("models", "wine")), List.of("DATA", "data/wine.csv@a304afb9")),
                Arguments.of(Named.of("extensions shows the org's and the global ones, never a credential",
                        List.of("extensions")), List.of("team-mlflow", "mlflow", "http://mlflow.team:5000", "stored",
                        "lake", "*", "s3://lake")),
                Arguments.of(Named.of("runs as JSON passes the API's fields through",
                        List.of("runs", "wine", "-o", "json")), List.of("\"metrics\"", "\"rmse\" : 0.7312")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listings")
    void aListingPrintsWhatTheApiAnswered(List<String> args, List<String> shown) {
        new CliConfig("http://fake.test", "workspace", null, null, "t", null).save(dir.resolve("config.yaml"));
        FakeOrchestratorClient fake = new FakeOrchestratorClient(API);
        CommandLine cli = Fuseml.commandLine((server, token) -> fake);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        java.util.List<String> all = new java.util.ArrayList<>(List.of("--config-file",
                dir.resolve("config.yaml").toString()));
        all.addAll(args);
        assertThat(cli.execute(all.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(out.toString()).contains(shown);
        assertThat(fake.asked).isNotEmpty().allMatch(a -> a.startsWith("GET /api/v1/orgs/workspace/"));
    }
}
