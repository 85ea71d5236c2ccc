package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code fuseml extensions add}: what it sends for a credentials file, and what it refuses before sending. */
class ExtensionsCommandTest {
    @TempDir
    Path dir;

    /** Records what is posted and answers as the API would (credentials: stored). */
    static final class Posting extends FakeOrchestratorClient {
        final List<String> posted = new ArrayList<>();

        Posting() {
            super(Map.of());
        }

        @Override
        public JsonNode post(String path, Object body) {
            JsonNode json = JSON.valueToTree(body);
            posted.add(path + " " + json);
            return JSON.createObjectNode().put("name", json.path("name").asText()).put("kind", json.path("kind")
                    .asText()).put("url", json.path("url").asText()).put("org", path.contains("/orgs/")
                    ? path.split("/")[4] : "*").put("credentials", json.has("credentials"));
        }
    }

    private record Result(int code, String out, String err) {
    }

    private Result run(FakeOrchestratorClient client, String... args) {
        new CliConfig("http://fake.test", "workspace", null, null, "t", null).save(dir.resolve("config.yaml"));
        CommandLine cli = Fuseml.commandLine((server, token) -> client);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("--config-file", dir.resolve("config.yaml").toString()));
        all.addAll(List.of(args));
        return new Result(cli.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    @Test
    void aCredentialsFileIsSentAsAMapAndTheAnswerSaysTheyAreStoredWithoutShowingThem() throws Exception {
        Path file = Files.writeString(dir.resolve("mlflow.yaml"), "username: ml\npassword: pa55word\n");
        Posting client = new Posting();
        Result r = run(client, "extensions", "add", "team-mlflow", "--kind", "mlflow", "--url",
                "http://mlflow.team:5000", "--credentials-file", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(client.posted).singleElement().satisfies(p -> assertThat(p)
                .startsWith("/api/v1/orgs/workspace/extensions ")
                .contains("\"credentials\":{\"username\":\"ml\",\"password\":\"pa55word\"}"));
        assertThat(r.out()).contains("team-mlflow", "registered in org workspace", "stored encrypted")
                .doesNotContain("pa55word");
    }

    @Test
    void theGlobalRegistryAndAnotherOrgAreReachedByTheirOptions() {
        Posting client = new Posting();
        assertThat(run(client, "extensions", "add", "lake", "--kind", "s3", "--url", "s3://lake", "--global").code())
                .isZero();
        assertThat(run(client, "extensions", "add", "m", "--kind", "mlflow", "--url", "http://m", "--org", "red")
                .code()).isZero();
        assertThat(client.posted).extracting(p -> p.split(" ")[0]).containsExactly("/api/v1/extensions",
                "/api/v1/orgs/red/extensions");
    }

    @Test
    void aCredentialsFileThatIsNoFlatMapOrBothScopesAreRefusedBeforeAnythingIsSent() throws Exception {
        Posting client = new Posting();
        Path nested = Files.writeString(dir.resolve("nested.yaml"), "aws:\n  key: k\n");
        Result r = run(client, "extensions", "add", "x", "--kind", "s3", "--url", "s3://b", "--credentials-file",
                nested.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("'aws' must be a plain value");
        Path list = Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
        assertThat(run(client, "extensions", "add", "x", "--kind", "s3", "--url", "s3://b", "--credentials-file",
                list.toString()).err()).contains("must be a map");
        assertThat(run(client, "extensions", "add", "x", "--kind", "s3", "--url", "s3://b", "--org", "red",
                "--global").err()).contains("not both");
        assertThat(run(client, "extensions", "add", "Bad_Name", "--kind", "s3", "--url", "s3://b").err())
                .contains("DNS-1123");
        assertThat(client.posted).isEmpty();
    }

    @Test
    void theListingSuggestsWhatThePlatformHasInstalledWithTheCommandThatRegistersIt() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        FakeOrchestratorClient client = new FakeOrchestratorClient(Map.of(
                "/api/v1/orgs/workspace/extensions", json.readTree("{\"extensions\":[{\"name\":\"lake\","
                        + "\"org\":\"*\",\"kind\":\"s3\",\"url\":\"s3://lake\",\"credentials\":true}]}"),
                "/api/v1/orgs/workspace/extensions/detected", json.readTree("{\"detected\":[{\"name\":\"kserve\","
                        + "\"kind\":\"kserve\",\"url\":null,\"evidence\":\"CRD inferenceservices.serving.kserve.io\"},"
                        + "{\"name\":\"tracking\",\"kind\":\"mlflow\",\"url\":\"http://tracking.mlflow.svc.cluster."
                        + "local:5000\",\"evidence\":\"Service mlflow/tracking labelled mlflow\"}]}")));
        Result listed = run(client, "extensions");
        assertThat(listed.code()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("lake", "stored", "Found installed, not registered",
                "kserve (kserve, CRD inferenceservices.serving.kserve.io): fuseml extensions add kserve --kind kserve "
                        + "--url URL",
                "fuseml extensions add tracking --kind mlflow --url http://tracking.mlflow.svc.cluster.local:5000");
        // a machine-readable listing stays the registry's own, and an orchestrator without detection is fine
        Result asJson = run(client, "extensions", "-o", "json");
        assertThat(asJson.out()).contains("lake").doesNotContain("Found installed");
        FakeOrchestratorClient older = new FakeOrchestratorClient(Map.of("/api/v1/orgs/workspace/extensions",
                json.readTree("{\"extensions\":[]}")));
        Result plain = run(older, "extensions");
        assertThat(plain.code()).isZero();
        assertThat(plain.out()).doesNotContain("Found installed");
    }
}
