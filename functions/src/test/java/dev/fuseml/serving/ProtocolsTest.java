package dev.fuseml.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request parsing of both prediction protocols, with the shared conformance examples (copies in resources). */
class ProtocolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode resource(String path) throws Exception {
        try (InputStream in = ProtocolsTest.class.getResourceAsStream("/conformance/" + path)) {
            return JSON.readTree(in);
        }
    }

    @Test
    void kserveIrisV2RequestIsTwoRowsOfFourFeatures() throws Exception {
        Batch batch = OpenInferenceProtocol.parse(resource("kserve-examples/iris-input-v2.json"));
        assertThat(batch.columns()).isNull();
        assertThat(batch.rows()).containsExactly(List.of(6.8, 2.8, 4.8, 1.4), List.of(6.0, 3.4, 4.5, 1.6));
    }

    @Test
    void theSpecsExampleWithShape3AndOneValueIsRefused() throws Exception {
        // The spec text's example declares shape [3] for one value (see PROVENANCE.md): a 400, never a guess.
        assertThatThrownBy(() -> OpenInferenceProtocol.parse(resource("open-inference-protocol/example-infer-request.json")))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("input1").hasMessageContaining("needs 3");
    }

    @Test
    void namedColumnInputsBecomeColumns() throws Exception {
        Batch batch = OpenInferenceProtocol.parse(JSON.readTree("{\"inputs\":["
                + "{\"name\":\"a\",\"shape\":[2],\"datatype\":\"FP64\",\"data\":[1,2]},"
                + "{\"name\":\"b\",\"shape\":[2,1],\"datatype\":\"INT64\",\"data\":[[3],[4]]}]}"));
        assertThat(batch.columns()).containsExactly("a", "b");
        assertThat(batch.rows()).containsExactly(List.of(1.0, 3L), List.of(2.0, 4L));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "not an object|[1,2]|JSON object",
        "no inputs|{}|'inputs' must be a non-empty array",
        "empty inputs|{\"inputs\":[]}|non-empty array",
        "no name|{\"inputs\":[{\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}|no 'name'",
        "bad datatype|{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FLOAT\",\"data\":[1]}]}|'datatype' must be one of",
        "negative shape|{\"inputs\":[{\"name\":\"x\",\"shape\":[-1],\"datatype\":\"FP32\",\"data\":[1]}]}|non-negative integers",
        "too few values|{\"inputs\":[{\"name\":\"x\",\"shape\":[1,11],\"datatype\":\"FP32\",\"data\":[1,2]}]}|needs 11 values, got 2",
        "strings as FP32|{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[\"a\"]}]}|must be numbers",
        "rank 3|{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1,1],\"datatype\":\"FP32\",\"data\":[1]}]}|shape [rows, features]",
        "uneven columns|{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},{\"name\":\"b\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}]}|different numbers of rows",
    })
    void malformedV2RequestsAreRefusedWithTheReason(String name, String body, String message) throws Exception {
        JsonNode request = JSON.readTree(body);
        assertThatThrownBy(() -> OpenInferenceProtocol.parse(request)).isInstanceOf(BadRequestException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theResponseHasOneOutputTensor() {
        JsonNode response = OpenInferenceProtocol.response("wine", 2, JSON.getNodeFactory().textNode("r1"),
                List.of(5.5, 6.0));
        assertThat(response.path("model_name").asText()).isEqualTo("wine");
        assertThat(response.path("model_version").asText()).isEqualTo("2");
        assertThat(response.path("id").asText()).isEqualTo("r1");
        JsonNode output = response.path("outputs").get(0);
        assertThat(output.path("datatype").asText()).isEqualTo("FP64");
        assertThat(output.path("shape").get(0).asInt()).isEqualTo(2);
        assertThat(output.path("data").get(1).asDouble()).isEqualTo(6.0);
    }

    @Test
    void kserveV1InstancesAreRowsForMlflow() throws Exception {
        Batch batch = MlflowScoringProtocol.parse(resource("kserve-examples/iris-input-v1.json"));
        assertThat(batch.rows()).hasSize(2);
        assertThat(batch.rows().get(0)).containsExactly(6.8, 2.8, 4.8, 1.4);
    }

    @Test
    void mlflowFormatsAllReduceToTheSameRows() throws Exception {
        String[] bodies = {
            "{\"dataframe_split\":{\"columns\":[\"a\",\"b\"],\"data\":[[1,2.5]]}}",
            "{\"dataframe_records\":[{\"a\":1,\"b\":2.5}]}",
            "{\"instances\":[{\"a\":1,\"b\":2.5}]}",
            "{\"inputs\":{\"a\":[1],\"b\":[2.5]}}",
        };
        for (String body : bodies) {
            Batch batch = MlflowScoringProtocol.parse(JSON.readTree(body));
            assertThat(batch.columns()).as(body).containsExactly("a", "b");
            assertThat(batch.rows()).as(body).containsExactly(List.of(1L, 2.5));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "no format|{\"data\":[[1]]}|exactly one of the keys",
        "two formats|{\"instances\":[[1]],\"inputs\":[[1]]}|exactly one of the keys",
        "split without data|{\"dataframe_split\":{\"columns\":[\"a\"]}}|dataframe_split must be an object",
        "split row too short|{\"dataframe_split\":{\"columns\":[\"a\",\"b\"],\"data\":[[1]]}}|1 values for 2 columns",
        "records not a list|{\"dataframe_records\":{\"a\":1}}|list of records",
        "empty instances|{\"instances\":[]}|non-empty list",
        "uneven inputs|{\"inputs\":{\"a\":[1,2],\"b\":[1]}}|different lengths",
        "nested object value|{\"instances\":[[{\"x\":1}]]}|numbers, strings or booleans",
    })
    void malformedMlflowRequestsAreRefusedWithTheReason(String name, String body, String message) throws Exception {
        JsonNode request = JSON.readTree(body);
        assertThatThrownBy(() -> MlflowScoringProtocol.parse(request)).isInstanceOf(BadRequestException.class)
                .hasMessageContaining(message);
    }
}
