package dev.fuseml.serving.local;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which protocol answers which path, and with which method: the routes of each protocol's endpoints. */
class EndpointsTest {
    private static final ModelSlot SLOT = new ModelSlot("wine");
    private static final List<Endpoints> PROTOCOLS = List.of(new OpenInferenceEndpoints(SLOT),
            new KServeV1Endpoints(SLOT), new MlflowScoringEndpoints(SLOT));

    static Stream<Arguments> routes() {
        return Stream.of(
                route("V2 inference", "/v2/models/wine/infer", OpenInferenceEndpoints.class, "POST"),
                route("V2 inference of a version", "/v2/models/wine/versions/3/infer", OpenInferenceEndpoints.class,
                        "POST"),
                route("V2 model metadata", "/v2/models/wine", OpenInferenceEndpoints.class, "GET"),
                route("V2 model readiness", "/v2/models/wine/ready", OpenInferenceEndpoints.class, "GET"),
                route("V2 liveness", "/v2/health/live", OpenInferenceEndpoints.class, "GET"),
                route("V2 server metadata", "/v2", OpenInferenceEndpoints.class, "GET"),
                route("V2 inference of another app", "/v2/models/beer/infer", OpenInferenceEndpoints.class,
                        Endpoints.ANY_METHOD),
                route("V1 predict", "/v1/models/wine:predict", KServeV1Endpoints.class, "POST"),
                route("V1 readiness", "/v1/models/wine", KServeV1Endpoints.class, "GET"),
                route("V1 predict of another app", "/v1/models/beer:predict", KServeV1Endpoints.class,
                        Endpoints.ANY_METHOD),
                route("MLflow's invocations", "/invocations", MlflowScoringEndpoints.class, "POST"),
                route("MLflow's ping", "/ping", MlflowScoringEndpoints.class, "GET"),
                route("nothing at an unknown path", "/v3/models/wine/infer", null, null),
                route("nothing at a V2 path the protocol lacks", "/v2/models/wine/explain", null, null));
    }

    private static Arguments route(String name, String path, Class<?> protocol, String method) {
        return Arguments.of(Named.of(name, path), protocol, method);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void eachPathIsOneProtocolsWithItsMethod(String path, Class<?> protocol, String method) {
        List<Endpoints> answering = PROTOCOLS.stream().filter(p -> p.route(path) != null).toList();
        if (protocol == null) {
            assertThat(answering).isEmpty();
            return;
        }
        assertThat(answering).singleElement().isInstanceOf(protocol);
        assertThat(answering.get(0).route(path).method()).isEqualTo(method);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void anotherAppsPathIsRefusedNamingTheAppServedHere(String path, Class<?> protocol, String method) {
        if (!Endpoints.ANY_METHOD.equals(method)) {
            return;
        }
        Endpoints.Route route = PROTOCOLS.stream().map(p -> p.route(path)).filter(r -> r != null).findFirst()
                .orElseThrow();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> route.handler().handle(null, new byte[0]))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.status).isEqualTo(404);
                    assertThat(e).hasMessageContaining("model 'beer' is not served here; this server serves 'wine'");
                });
    }
}
