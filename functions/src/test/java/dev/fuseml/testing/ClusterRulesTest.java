package dev.fuseml.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules catch what they are for: each case breaks one rule of a compliant Deployment and names it. */
class ClusterRulesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String GOOD = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
              labels: {app.kubernetes.io/name: d, app.kubernetes.io/part-of: fuseml,
                       app.kubernetes.io/component: c, app.kubernetes.io/managed-by: fuseml}
            spec:
              template:
                spec:
                  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
                  containers:
                    - name: app
                      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                      resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
                      readinessProbe: {httpGet: {path: /q/health/ready}}
                      livenessProbe: {httpGet: {path: /q/health/live}}
                  volumes: [{name: data, emptyDir: {}}]
            """;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no managed-by label", "app.kubernetes.io/managed-by: fuseml}", "}",
                        "has no label app.kubernetes.io/managed-by"),
                Arguments.of("escalation allowed", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true",
                        "does not set allowPrivilegeEscalation: false"),
                Arguments.of("capabilities kept", "drop: [ALL]", "drop: [NET_RAW]", "does not drop ALL capabilities"),
                Arguments.of("capability added", "drop: [ALL]}", "drop: [ALL], add: [SYS_ADMIN]}",
                        "adds capability SYS_ADMIN"),
                Arguments.of("no seccomp profile", ", seccompProfile: {type: RuntimeDefault}", "",
                        "has no RuntimeDefault seccomp profile"),
                Arguments.of("root allowed", "runAsNonRoot: true, ", "", "may run as root"),
                Arguments.of("root user", "runAsUser: 1000", "runAsUser: 0", "runs its pod as root"),
                Arguments.of("privileged", "allowPrivilegeEscalation: false,", "allowPrivilegeEscalation: false, "
                        + "privileged: true,", "is privileged"),
                Arguments.of("no memory limit", ", limits: {memory: 128Mi}", "", "sets no resources.limits.memory"),
                Arguments.of("no cpu request", "cpu: 100m, ", "", "sets no resources.requests.cpu"),
                Arguments.of("no readiness probe", "readinessProbe: {httpGet: {path: /q/health/ready}}",
                        "startupProbe: {httpGet: {path: /q/health/started}}", "has no readinessProbe"),
                Arguments.of("no liveness probe", "livenessProbe: {httpGet: {path: /q/health/live}}",
                        "startupProbe: {httpGet: {path: /q/health/started}}", "has no livenessProbe"),
                Arguments.of("host path", "emptyDir: {}", "hostPath: {path: /}", "mounts a hostPath volume"),
                Arguments.of("host network", "securityContext: {runAsNonRoot", "hostNetwork: true\n"
                        + "      securityContext: {runAsNonRoot", "uses hostNetwork"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBrokenObjectIsNamedWithTheRuleItBreaks(String name, String from, String to, String problem)
            throws Exception {
        assertThat(ClusterRules.problems(YAML.readTree(GOOD))).as("the compliant object").isEmpty();
        assertThat(GOOD).contains(from);
        JsonNode broken = YAML.readTree(GOOD.replace(from, to));
        assertThat(ClusterRules.problems(broken)).anySatisfy(p -> assertThat(p).contains(problem));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("knative")
    void aKnativeServiceNeedsItsScaleBounds(String name, String annotation) throws Exception {
        String service = """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: s
                  labels: {app.kubernetes.io/name: s, app.kubernetes.io/part-of: fuseml,
                           app.kubernetes.io/component: c, app.kubernetes.io/managed-by: fuseml}
                spec:
                  template:
                    metadata:
                      annotations: {autoscaling.knative.dev/max-scale: "5", autoscaling.knative.dev/target: "10"}
                    spec:
                      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                      containers:
                        - securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
                          readinessProbe: {httpGet: {path: /}}
                """;
        assertThat(ClusterRules.problems(YAML.readTree(service))).isEmpty();
        JsonNode broken = YAML.readTree(service.replaceAll(annotation.replace(".", "\\.") + ": \"[0-9]+\",?", ""));
        assertThat(ClusterRules.problems(broken)).anySatisfy(p -> assertThat(p).contains("sets no " + annotation));
    }

    static Stream<Arguments> knative() {
        return Stream.of(Arguments.of("no max-scale", "autoscaling.knative.dev/max-scale"),
                Arguments.of("no target", "autoscaling.knative.dev/target"));
    }
}
