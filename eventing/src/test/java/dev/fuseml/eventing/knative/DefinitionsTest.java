package dev.fuseml.eventing.knative;

import dev.fuseml.eventing.broker.BackoffPolicy;
import dev.fuseml.eventing.broker.Trigger;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefinitionsTest {
    private static final String VALID = """
            apiVersion: eventing.knative.dev/v1
            kind: Broker
            metadata: {name: default, namespace: team}
            spec:
              delivery: {retry: 2, backoffPolicy: linear, backoffDelay: PT0.5S}
            ---
            apiVersion: eventing.knative.dev/v1
            kind: Trigger
            metadata: {name: audit, namespace: team}
            spec:
              broker: default
              filters:
                - any:
                    - prefix: {type: dev.fuseml.}
                    - cesql: "subject LIKE 'wine%'"
              subscriber: {uri: "http://127.0.0.1:9999/audit"}
              delivery: {timeout: PT3S, deadLetterSink: {uri: "http://127.0.0.1:9999/dead"}}
            """;

    @Test
    void brokersAndTriggersInKnativesSchemaBecomeTriggersWithBrokerDefaults() {
        Definitions.Parsed parsed = Definitions.parse(VALID, "workspace");
        assertThat(parsed.brokers()).hasSize(1);
        Map<String, Definitions.BrokerDefinition> brokers = parsed.brokers().stream()
                .collect(Collectors.toMap(Definitions.BrokerDefinition::namespace, Function.identity()));
        Trigger trigger = Definitions.trigger(parsed.triggers().get(0), brokers);
        assertThat(trigger.namespace()).isEqualTo("team");
        assertThat(trigger.subscriber()).isEqualTo(URI.create("http://127.0.0.1:9999/audit"));
        assertThat(trigger.delivery().retry()).isEqualTo(2);
        assertThat(trigger.delivery().backoffPolicy()).isEqualTo(BackoffPolicy.LINEAR);
        assertThat(trigger.delivery().backoffDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(trigger.delivery().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(trigger.delivery().deadLetterSink()).isEqualTo(URI.create("http://127.0.0.1:9999/dead"));
        assertThat(trigger.matches(CloudEventBuilder.v1().withId("1").withSource(URI.create("s")).withType("x")
                .withSubject("wine-2").build())).isTrue();
        assertThat(trigger.matches(CloudEventBuilder.v1().withId("1").withSource(URI.create("s")).withType("x")
                .build())).isFalse();
    }

    @Test
    void aTriggerWithoutNamespaceBelongsToTheDefaultOrg() {
        Definitions.Parsed parsed = Definitions.parse("""
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: all}
                spec: {broker: default, subscriber: {uri: "http://localhost:1/"}}
                """, "workspace");
        assertThat(parsed.triggers().get(0).namespace()).isEqualTo("workspace");
    }

    private static void refused(String yaml, String... messages) {
        assertThatThrownBy(() -> Definitions.parse(yaml, "workspace"))
                .isInstanceOf(Definitions.InvalidDefinitionException.class).satisfies(e -> {
                    for (String m : messages) {
                        assertThat(e.getMessage()).contains(m);
                    }
                });
    }

    private static String trigger(String spec) {
        return "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata: {name: t}\nspec:\n" + spec.indent(2);
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> refusals() {
        String ok = "broker: default\nsubscriber: {uri: 'http://x/'}";
        return java.util.stream.Stream.of(
                refusal("a retry count that is no number", trigger(ok + "\ndelivery: {retry: five}"),
                        "Trigger t: spec.delivery.retry: must be an integer, got the string 'five'"),
                refusal("filters that are no list", trigger(ok + "\nfilters: {exact: {a: b}}"),
                        "spec.filters: must be an array"),
                refusal("a field Knative does not have", trigger(ok) + "status2: {}\n", "status2: unknown field"),
                refusal("a trigger without a subscriber", trigger("broker: default"),
                        "spec.subscriber.uri: required"),
                refusal("a subscriber by reference", trigger("broker: default\nsubscriber: {ref: {kind: Service, "
                        + "name: x}}"), "spec.subscriber.ref", "give spec.subscriber.uri"),
                refusal("another broker than the org's", trigger("broker: other\nsubscriber: {uri: 'http://x/'}"),
                        "spec.broker: must be 'default'"),
                refusal("a subscriber that is no http URL", trigger("broker: default\nsubscriber: {uri: 'ftp://x/'}"),
                        "not an absolute http(s) URL"),
                refusal("a backoff delay that is no duration", trigger(ok + "\ndelivery: {backoffDelay: FOO}"),
                        "spec.delivery.backoffDelay: 'FOO' is not an ISO-8601 duration"),
                refusal("an unknown backoff policy", trigger(ok + "\ndelivery: {backoffPolicy: random}"),
                        "spec.delivery.backoffPolicy: 'random' is not one of linear, exponential"),
                refusal("a CESQL filter that does not parse", trigger(ok + "\nfilters: [{cesql: 'a = '}]"),
                        "spec.filters[0].cesql: CESQL"),
                refusal("a name that is no DNS label", "apiVersion: eventing.knative.dev/v1\nkind: Trigger\n"
                        + "metadata: {name: Bad_Name}\nspec: {broker: default, subscriber: {uri: 'http://x/'}}",
                        "metadata.name: must be a DNS-1123"),
                refusal("a resource that is not Knative's", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}",
                        "apiVersion: must be eventing.knative.dev/v1", "kind: must be Broker or Trigger"),
                refusal("a second broker", "apiVersion: eventing.knative.dev/v1\nkind: Broker\n"
                        + "metadata: {name: other}", "each org has one broker"),
                refusal("an empty file", "", "declares nothing"),
                refusal("YAML that does not parse", "kind: [", "not valid YAML"));
    }

    private static org.junit.jupiter.params.provider.Arguments refusal(String name, String yaml, String... messages) {
        return org.junit.jupiter.params.provider.Arguments.of(org.junit.jupiter.api.Named.of(name, yaml),
                java.util.List.of(messages));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} is refused, naming the rule")
    @org.junit.jupiter.params.provider.MethodSource("refusals")
    void aDefinitionThatBreaksARuleOfTheSchemaOrOfKnativeIsRefusedNamingIt(String yaml,
            java.util.List<String> messages) {
        refused(yaml, messages.toArray(String[]::new));
    }

    @Test
    void oneBadDocumentRefusesTheWholeFile() {
        refused(VALID + "---\n" + trigger("broker: default"), "spec.subscriber.uri: required");
    }
}
