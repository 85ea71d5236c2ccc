package dev.fuseml.eventing.cesql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The whole CESQL v1.0 TCK (a copy under test resources, provenance in conformance/PROVENANCE.md). */
class CesqlTckTest {
    private static final String[] SUITES = {"binary_comparison_operators", "binary_logical_operators",
        "binary_math_operators", "case_sensitivity", "casting_functions", "context_attributes_access",
        "exists_expression", "in_expression", "integer_builtin_functions", "like_expression", "literals",
        "negate_operator", "not_operator", "parse_errors", "spec_examples", "string_builtin_functions",
        "sub_expression", "subscriptions_api_recreations"};
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger PASSED = new AtomicInteger();
    private static final AtomicInteger ERROR_CASES = new AtomicInteger();

    @TestFactory
    List<DynamicContainer> tck() throws Exception {
        List<DynamicContainer> suites = new ArrayList<>();
        for (String suite : SUITES) {
            JsonNode root;
            try (InputStream in = getClass().getResourceAsStream("/conformance/cesql-tck/" + suite + ".yaml")) {
                root = YAML.readTree(in);
            }
            List<DynamicTest> tests = new ArrayList<>();
            for (JsonNode test : root.path("tests")) {
                CASES.incrementAndGet();
                if (test.has("error")) {
                    ERROR_CASES.incrementAndGet();
                }
                tests.add(DynamicTest.dynamicTest(test.path("name").asText(), () -> {
                    check(test);
                    PASSED.incrementAndGet();
                }));
            }
            suites.add(DynamicContainer.dynamicContainer(root.path("name").asText(suite), tests));
        }
        return suites;
    }

    @AfterAll
    static void report() {
        System.out.printf("CESQL TCK: %d of %d cases passed (%d of them expect an error)%n", PASSED.get(),
                CASES.get(), ERROR_CASES.get());
        assertThat(CASES.get()).as("cases read").isEqualTo(275);
        assertThat(ERROR_CASES.get()).isEqualTo(35);
    }

    private static void check(JsonNode test) {
        String expression = test.path("expression").asText();
        String expectedError = test.path("error").asText(null);
        Expression parsed;
        try {
            parsed = Cesql.parse(expression);
        } catch (CesqlParseException e) {
            assertThat(expectedError).as("unexpected parse error: " + e.getMessage()).isEqualTo("parse");
            return;
        }
        if ("parse".equals(expectedError)) {
            fail("expected a parse error for " + expression);
        }
        Map<String, Object> event = event(test);
        Result result = parsed.evaluate(name -> event.get(name));
        assertThat(result.error() == null ? null : result.error().tckName()).as("error of %s (%s)", expression,
                result.detail()).isEqualTo(expectedError);
        if (test.has("result")) {
            assertThat(result.value()).as("value of %s", expression).isEqualTo(value(test.get("result")));
        }
    }

    /** The test's event: its own, or a minimal valid one with the overrides applied. */
    private static Map<String, Object> event(JsonNode test) {
        Map<String, Object> event = new HashMap<>();
        if (test.has("event")) {
            test.get("event").fields().forEachRemaining(f -> event.put(f.getKey(), value(f.getValue())));
        } else {
            event.put("specversion", "1.0");
            event.put("id", "tck-id");
            event.put("source", "/tck");
            event.put("type", "tck.type");
        }
        test.path("eventOverrides").fields().forEachRemaining(f -> event.put(f.getKey(), value(f.getValue())));
        return event;
    }

    private static Object value(JsonNode node) {
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isIntegralNumber()) {
            return node.asInt();
        }
        return node.asText();
    }
}
