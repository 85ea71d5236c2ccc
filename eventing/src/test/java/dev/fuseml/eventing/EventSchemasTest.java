package dev.fuseml.eventing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Deleted;
import dev.fuseml.eventing.payload.Failed;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Served;
import dev.fuseml.eventing.payload.Trained;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The payload records the code emits conform to the published schemas, and data that breaks them is caught. */
class EventSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPO = "http://127.0.0.1:8080/git/workspace/wine.git";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String MODEL = "fuseml-artifacts:/workspace/wine/wine-1/model";

    static Stream<Arguments> conformingPayloads() {
        Map<String, String> params = Map.of("alpha", "0.5");
        return Stream.of(
                Arguments.of(FusemlEvents.PUSH, new Push(REPO, "refs/heads/main", Map.of(), null)),
                Arguments.of(FusemlEvents.PUSH, new Push(REPO, "refs/heads/main", Map.of(), null, "seldon")),
                Arguments.of(FusemlEvents.BUILT, new Built(REPO, COMMIT, params, null, "venv:abc", "kserve")),
                Arguments.of(FusemlEvents.RECEIVED, new Received(REPO, COMMIT, params, "main", "python train.py 0.5")),
                Arguments.of(FusemlEvents.BUILT, new Built(REPO, COMMIT, params, null, "venv:abc")),
                Arguments.of(FusemlEvents.TRAINED, new Trained(REPO, COMMIT, params, "venv:abc", MODEL,
                        Map.of("rmse", 0.7))),
                Arguments.of(FusemlEvents.REGISTERED, new Registered(2, MODEL, "venv:abc")),
                Arguments.of(FusemlEvents.SERVED, new Served(2, "http://127.0.0.1:5000/v2/models/wine/infer")),
                Arguments.of(FusemlEvents.FAILED, new Failed("train", "ValueError: no data", "Traceback ...")),
                Arguments.of(FusemlEvents.DELETED, new Deleted("wine")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conformingPayloads")
    void thePayloadRecordsConformToTheirSchema(String type, Object payload) {
        assertThat(EventValidator.problems(type, JSON.valueToTree(payload))).isEmpty();
    }

    static Stream<Arguments> brokenPayloads() {
        return Stream.of(
                Arguments.of("push without a commit", FusemlEvents.PUSH, "{\"repository\":\"" + REPO + "\"}", "commit"),
                Arguments.of("push naming a local path", FusemlEvents.PUSH,
                        "{\"repository\":\"/var/lib/fuseml/codesets/x.git\",\"commit\":\"main\"}", "repository"),
                Arguments.of("push with an upload id (the old contract)", FusemlEvents.PUSH,
                        "{\"upload\":\"abc\",\"repository\":\"" + REPO + "\",\"commit\":\"main\"}", "upload"),
                Arguments.of("a parameter key with a shell character", FusemlEvents.PUSH,
                        "{\"repository\":\"" + REPO + "\",\"commit\":\"main\",\"params\":{\"x;touch y\":\"1\"}}", "x;touch y"),
                Arguments.of("received with a short commit", FusemlEvents.RECEIVED, "{\"repository\":\"" + REPO
                        + "\",\"commit\":\"abc\",\"params\":{},\"command\":\"python train.py\"}", "commit"),
                Arguments.of("trained with a local model directory", FusemlEvents.TRAINED, "{\"repository\":\"" + REPO
                        + "\",\"commit\":\"" + COMMIT + "\",\"params\":{},\"environment\":\"venv:a\","
                        + "\"modelUri\":\"/tmp/work/model\",\"metrics\":{}}", "modelUri"),
                Arguments.of("a metric that is not a number", FusemlEvents.TRAINED, "{\"repository\":\"" + REPO
                        + "\",\"commit\":\"" + COMMIT + "\",\"params\":{},\"environment\":\"venv:a\",\"modelUri\":\""
                        + MODEL + "\",\"metrics\":{\"rmse\":\"low\"}}", "rmse"),
                Arguments.of("version zero", FusemlEvents.REGISTERED, "{\"version\":0,\"modelUri\":\"" + MODEL
                        + "\",\"environment\":\"venv:a\"}", "version"),
                Arguments.of("a serve target FuseML does not deploy to", FusemlEvents.PUSH, "{\"repository\":\"" + REPO
                        + "\",\"commit\":\"main\",\"serveTarget\":\"torchserve\"}", "serveTarget"),
                Arguments.of("failed without a cause", FusemlEvents.FAILED, "{\"step\":\"train\"}", "cause"),
                Arguments.of("no data at all", FusemlEvents.SERVED, "null", "object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenPayloads")
    void dataThatBreaksTheContractIsReportedWithWhatIsWrong(String name, String type, String json, String mentioned)
            throws Exception {
        assertThat(EventValidator.problems(type, JSON.readTree(json))).isNotEmpty()
                .anySatisfy(p -> assertThat(p).contains(mentioned));
    }

    @Test
    void theSchemasServeTargetsAreTheContractsAndAPushWithoutOneLeavesTheFieldOut() throws Exception {
        for (String type : new String[]{FusemlEvents.PUSH, FusemlEvents.RECEIVED, FusemlEvents.BUILT}) {
            JsonNode schema = JSON.readTree(EventSchemas.schema(type).orElseThrow());
            java.util.List<String> targets = new java.util.ArrayList<>();
            schema.path("properties").path("serveTarget").path("enum").forEach(t -> {
                if (!t.isNull()) {
                    targets.add(t.asText());
                }
            });
            assertThat(targets).as(type).isEqualTo(Push.SERVE_TARGETS);
        }
        // so that an orchestrator from before the field takes the push of a newer CLI
        assertThat(JSON.valueToTree(new Push(REPO, "main", Map.of(), null)).has("serveTarget")).isFalse();
    }

    @Test
    void everyTypeOfTheContractHasASchemaAndUnknownTypesHaveNone() {
        for (String type : FusemlEvents.TYPES) {
            assertThat(EventSchemas.schema(type)).as(type).isPresent();
        }
        assertThat(EventSchemas.schema("dev.fuseml.unknown")).isEmpty();
        assertThat(EventSchemas.schema("../../etc/passwd")).isEmpty();
        assertThrows(IllegalArgumentException.class, () -> EventValidator.problems("x.y", JSON.nullNode()));
        assertThat(EventSchemas.uri("http://127.0.0.1:8080/", FusemlEvents.PUSH).toString())
                .isEqualTo("http://127.0.0.1:8080/schemas/dev.fuseml.push.json");
    }
}
