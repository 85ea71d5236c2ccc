package dev.fuseml.serving.local;

import dev.fuseml.serving.Batch;
import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.Predictor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.local.PredictionServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP front of a prediction server, with an in-memory predictor standing in for the Python worker. */
class PredictionServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private PredictionServer server;

    /** Predicts the sum of each row; refuses rows of other than two features, as a model would. */
    static final class SumPredictor implements Predictor {
        final AtomicBoolean closed = new AtomicBoolean();
        private final double offset;
        boolean busy;

        SumPredictor(double offset) {
            this.offset = offset;
        }

        @Override
        public synchronized List<Object> predict(Batch batch) throws Predictor.ClosedException {
            if (closed.get()) {
                throw new Predictor.ClosedException(); // as a Python worker whose process was stopped
            }
            if (busy) {
                try {
                    Thread.sleep(1); // a model takes time: requests queue on a version as it is replaced
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<Object> out = new ArrayList<>();
            for (List<Object> row : batch.rows()) {
                if (row.size() != 2) {
                    throw new BadRequestException("X has " + row.size() + " features, but the model expects 2");
                }
                out.add(((Number) row.get(0)).doubleValue() + ((Number) row.get(1)).doubleValue() + offset);
            }
            return out;
        }

        @Override
        public synchronized void close() {
            closed.set(true);
        }
    }

    private static final MLModel MODEL = new MLModel(List.of("sklearn", "python_function"), "model.pkl", "pickle",
            List.of(new MLModel.Column("a", "double"), new MLModel.Column("b", "double")));

    @BeforeEach
    void start() throws Exception {
        server = new PredictionServer("wine", "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String type) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void beforeAVersionIsLoadedTheServerIsLiveButNotReady() throws Exception {
        assertThat(call("GET", "/v2/health/live", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = call("GET", "/v2/health/ready", null, null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("not loaded yet");
    }

    @Test
    void servesV2AndMlflowAndSwitchesVersions() throws Exception {
        SumPredictor v1 = new SumPredictor(0);
        server.switchTo(1, v1, MODEL);
        String v2Body = "{\"id\":\"q\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";
        JsonNode answer = JSON.readTree(call("POST", "/v2/models/wine/infer", v2Body, "application/json").body());
        assertThat(answer.path("outputs").get(0).path("data").get(0).asDouble()).isEqualTo(3.0);
        assertThat(answer.path("model_version").asText()).isEqualTo("1");
        assertThat(answer.path("id").asText()).isEqualTo("q");

        server.switchTo(2, new SumPredictor(100), MODEL);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilTrue(v1.closed);
        HttpResponse<String> mlflow = call("POST", "/invocations", "{\"instances\":[[1,2]]}", "application/json");
        assertThat(JSON.readTree(mlflow.body()).path("predictions").get(0).asDouble()).isEqualTo(103.0);
        JsonNode meta = JSON.readTree(call("GET", "/v2/models/wine", null, null).body());
        assertThat(meta.path("versions").get(0).asText()).isEqualTo("2");
        assertThat(meta.path("inputs")).hasSize(2);
        assertThat(call("GET", "/v2/models/wine/ready", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void withAPredictionTokenOnlyRequestsCarryingItArePredictedAndHealthStaysOpen() throws Exception {
        server.switchTo(1, new SumPredictor(0), MODEL);
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";
        server.requireToken(dev.fuseml.eventing.Tokens.sha256("fuseml_predict-secret"));
        HttpResponse<String> anonymous = call("POST", "/v2/models/wine/infer", body, "application/json");
        assertError(anonymous, 401, "fuseml protect wine");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        HttpRequest.Builder wrong = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/invocations")).header("Authorization", "Bearer fuseml_guess").header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[[1,2]]}"));
        assertThat(http.send(wrong.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpRequest.Builder right = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v2/models/wine/infer")).header("Authorization", "Bearer fuseml_predict-secret")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        assertThat(http.send(right.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);
        server.requireToken(null);
        assertThat(call("POST", "/v2/models/wine/infer", body, "application/json").statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestOverTheSizeLimitIs413AndTheServerGoesOn() throws Exception {
        server.switchTo(1, new SumPredictor(0), MODEL);
        String huge = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":["
                + "1,".repeat(PredictionServer.MAX_REQUEST_BYTES / 2) + "1]}]}";
        HttpResponse<String> refused;
        try {
            refused = call("POST", "/v2/models/wine/infer", huge, "application/json");
            assertError(refused, 413, "fewer rows per request");
        } catch (java.io.IOException closedWhileSending) {
            // the server answered and closed before the client had sent everything: refused all the same
        }
        assertThat(call("POST", "/v2/models/wine/infer", "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],"
                + "\"datatype\":\"FP32\",\"data\":[1,2]}]}", "application/json").statusCode()).isEqualTo(200);
    }

    @Test
    void versionSwitchesUnderASteadyLoadLoseNoRequest() throws Exception {
        SumPredictor first = new SumPredictor(0);
        first.busy = true;
        server.switchTo(1, first, MODEL);
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]}]}";
        java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            Thread client = new Thread(() -> {
                while (loading.get()) {
                    try {
                        HttpResponse<String> r = call("POST", "/v2/models/wine/infer", body, "application/json");
                        if (r.statusCode() == 200) {
                            answered.incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
            client.start();
            clients.add(client);
        }
        for (int version = 2; version <= 60; version++) {
            int before = answered.get();
            SumPredictor next = new SumPredictor(version);
            next.busy = true;
            server.switchTo(version, next, MODEL);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> answered.get() > before);
        }
        loading.set(false);
        for (Thread client : clients) {
            client.join(10_000);
        }
        assertThat(failures).isEmpty();
        assertThat(answered.get()).isGreaterThan(59);
    }

    @Test
    void kserveV1PredictAnswersInstancesWithPredictions() throws Exception {
        server.switchTo(1, new SumPredictor(0), MODEL);
        HttpResponse<String> v1 = call("POST", "/v1/models/wine:predict", "{\"instances\":[[1,2],[3,4]]}",
                "application/json");
        assertThat(v1.statusCode()).as(v1.body()).isEqualTo(200);
        assertThat(JSON.readTree(v1.body()).path("predictions")).hasSize(2);
        assertThat(JSON.readTree(v1.body()).path("predictions").get(1).asDouble()).isEqualTo(7.0);
        assertThat(call("GET", "/v1/models/wine", null, null).body()).contains("\"ready\":true");
        assertError(call("POST", "/v1/models/wine:predict", "{\"inputs\":[[1,2]]}", "application/json"), 400,
                "instances");
        assertError(call("POST", "/v1/models/iris:predict", "{\"instances\":[[1,2]]}", "application/json"), 404,
                "serves 'wine'");
    }

    @Test
    void badRequestsGetJsonErrorsNever500() throws Exception {
        server.switchTo(1, new SumPredictor(0), MODEL);
        String threeFeatures = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
        assertError(call("POST", "/v2/models/wine/infer", threeFeatures, "application/json"), 400, "expects 2");
        assertError(call("POST", "/v2/models/wine/infer", "{not json", "application/json"), 400, "not valid JSON");
        assertError(call("POST", "/v2/models/wine/infer", "a,b", "text/csv"), 415, "application/json");
        assertError(call("GET", "/v2/models/wine/infer", null, null), 405, "use POST");
        assertError(call("POST", "/v2/models/other/infer", threeFeatures, "application/json"), 404, "serves 'wine'");
        assertError(call("GET", "/nothing", null, null), 404, "no such endpoint");
        assertError(call("POST", "/invocations", "{\"rows\":[]}", "application/json"), 400, "exactly one of the keys");
    }

    private static void assertError(HttpResponse<String> response, int status, String message) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains(message);
    }
}
