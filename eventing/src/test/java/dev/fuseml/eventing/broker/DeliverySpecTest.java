package dev.fuseml.eventing.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backoff delays and status semantics against the Knative conformance data (copies in test resources). */
class DeliverySpecTest {
    private static JsonNode yaml(String name) throws Exception {
        try (InputStream in = DeliverySpecTest.class.getResourceAsStream("/conformance/knative-delivery/" + name)) {
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    @Test
    void backoffFollowsKnativesVectors() throws Exception {
        int checked = 0;
        for (JsonNode c : yaml("backoff-vectors.yaml").path("cases")) {
            BackoffPolicy policy = BackoffPolicy.parse(c.path("policy").asText());
            if (c.path("expect_error").asBoolean()) {
                assertThatThrownBy(() -> {
                    DeliverySpec.parseDuration("backoffDelay", c.path("backoffDelay").asText());
                    DeliverySpec.parseDuration("timeout", c.path("timeout").asText("PT1S"));
                }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ISO-8601");
                checked++;
                continue;
            }
            DeliverySpec spec = new DeliverySpec(5, policy,
                    DeliverySpec.parseDuration("backoffDelay", c.path("backoffDelay").asText()), Duration.ofSeconds(1),
                    null);
            for (int n = 1; n <= 5; n++) {
                double expected = c.path("expected_seconds").get(n - 1).asDouble();
                assertThat(spec.delayBeforeRetry(n).toMillis()).as("%s retry %d", c, n)
                        .isEqualTo(Math.round(expected * 1000));
            }
            checked++;
        }
        assertThat(checked).isEqualTo(5);
    }

    @Test
    void statusCodesFollowTheDataPlaneSpec() throws Exception {
        int checked = 0;
        for (JsonNode c : yaml("response-code-semantics.yaml").path("codes")) {
            JsonNode code = c.path("code");
            if (!code.isInt()) {
                continue;
            }
            assertThat(ResponseCodes.retriable(code.asInt())).as("retry %s", code).isEqualTo(c.path("retry").asBoolean());
            assertThat(ResponseCodes.completed(code.asInt())).as("completed %s", code)
                    .isEqualTo(c.path("completed").asBoolean());
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
        assertThat(ResponseCodes.retriable(503)).isTrue();
        assertThat(ResponseCodes.retriable(302)).isFalse();
        assertThat(ResponseCodes.retriable(0)).as("transport failure").isTrue();
    }

    @Test
    void anUnknownPolicyIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> BackoffPolicy.parse("random")).hasMessageContaining("linear, exponential");
    }
}
