package dev.fuseml.eventing;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloudEventHttpTest {
    @Test
    void binaryModeHeadersArePercentEncodedAndDecodedOnce() {
        String tricky = "{\"othervalue\": 5}\n 100% sure \uD83C\uDF0E";
        CloudEvent event = CloudEventBuilder.v1().withId("1").withSource(URI.create("/s")).withType("t")
                .withExtension("tricky", tricky).withSubject("a b").build();
        CloudEventHttp.Encoded encoded = CloudEventHttp.binary(event);
        assertThat(encoded.headers().get("ce-tricky")).isEqualTo(
                "{%22othervalue%22:%205}%0A%20100%25%20sure%20%F0%9F%8C%8E").doesNotContain("\n");
        Map<String, List<String>> headers = encoded.headers().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().toUpperCase(), e -> List.of(e.getValue())));
        CloudEvent back = CloudEventHttp.read(headers, encoded.body());
        assertThat(back.getExtension("tricky")).isEqualTo(tricky);
        assertThat(back.getSubject()).isEqualTo("a b");
    }

    @Test
    void whatIsNotACloudEventIsNamed() {
        assertThatThrownBy(() -> CloudEventHttp.read(Map.of("content-type", List.of("application/json")), new byte[0]))
                .hasMessageContaining("ce-specversion");
        assertThatThrownBy(() -> CloudEventHttp.read(Map.of("ce-specversion", List.of("1.0")), new byte[0]))
                .isInstanceOf(CloudEventHttp.InvalidEventException.class);
    }
}
