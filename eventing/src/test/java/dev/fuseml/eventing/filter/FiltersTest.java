package dev.fuseml.eventing.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FiltersTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final CloudEvent EVENT = CloudEventBuilder.v1().withId("1").withSource(URI.create("/fuseml/train"))
            .withType("dev.fuseml.trained").withSubject("wine").withExtension("fusemlorg", "workspace")
            .withExtension("attempt", 3).build();

    private static Filter spec(String yaml) throws Exception {
        return Filters.fromSpec(YAML.readTree(yaml));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "filter: {attributes: {type: dev.fuseml.trained, subject: wine}}|true",
        "filter: {attributes: {type: dev.fuseml.trained, subject: beer}}|false",
        "filters: [{exact: {type: dev.fuseml.trained}}]|true",
        "filters: [{exact: {missing: x}}]|false",
        "filters: [{prefix: {type: dev.fuseml.}}, {suffix: {source: /train}}]|true",
        "filters: [{prefix: {type: com.}}]|false",
        "filters: [{suffix: {missing: x}}]|false",
        "filters: [{any: [{exact: {subject: beer}}, {exact: {subject: wine}}]}]|true",
        "filters: [{all: [{exact: {subject: wine}}, {exact: {fusemlorg: other}}]}]|false",
        "filters: [{not: {exact: {subject: beer}}}]|true",
        "filters: [{cesql: \"type LIKE 'dev.fuseml.%' AND attempt > 2\"}]|true",
        "filters: [{cesql: \"missing = 'x'\"}]|false",
        "{filters: [{exact: {subject: beer}}], filter: {attributes: {subject: wine}}}|false",
        "{}|true",
    })
    void dialectsMatchAsKnativeDoes(String yaml, boolean expected) throws Exception {
        assertThat(spec(yaml).matches(EVENT)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
        "filters: [{exact: {a: x}, prefix: {a: x}}]|spec.filters[0]: a filter has exactly one of",
        "filters: [{regex: {a: x}}]|unknown filter dialect 'regex'",
        "filters: [{prefix: {type: ''}}]|spec.filters[0].prefix.type: must not be empty",
        "filters: [{any: {exact: {a: b}}}]|spec.filters[0].any: must be a list",
        "filters: [{cesql: 'a ='}]|spec.filters[0].cesql: CESQL",
        "filters: [{not: [{exact: {a: b}}]}]|spec.filters[0].not",
        "filters: [{exact: {}}]|spec.filters[0].exact: must map attribute names",
    })
    void badFiltersNameTheFieldAndTheReason(String yaml, String message) {
        assertThatThrownBy(() -> spec(yaml)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void anEmptyFilterMatchesEverything() {
        assertThat(Filter.ALL_EVENTS.matches(EVENT)).isTrue();
        JsonNode none = YAML.createObjectNode();
        assertThat(Filters.fromSpec(none)).isSameAs(Filter.ALL_EVENTS);
    }
}
