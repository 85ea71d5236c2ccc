package dev.fuseml.api;

import dev.fuseml.run.Run;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.run.Step;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/** {@code /api/v1/runs/RUN/progress}: what {@code fuseml push} shows while a step runs. */
@QuarkusTest
class RunProgressTest {
    @Inject
    RunStore runs;
    @Inject
    RunLog log;

    private String building() {
        String id = "progress-" + UUID.randomUUID().toString().substring(0, 8);
        runs.update(id, () -> Run.start(id, "workspace", "wine"), r -> r.withStep(new Step("build", Step.RUNNING,
                Instant.now(), null)));
        return id;
    }

    private JsonPath progress(String run, String query) {
        return given().get("/api/v1/runs/" + run + "/progress" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void itHandsOutTheRunTheLogsSizeAndItsLastLine() {
        String run = building();
        JsonPath empty = progress(run, "");
        assertThat(empty.getString("run.steps[0].name")).isEqualTo("build");
        assertThat(empty.getLong("logSize")).isZero();
        assertThat(empty.getString("lastLine")).isEmpty();

        log.append(run, "Collecting scikit-learn");
        log.append(run, "  Downloading scikit_learn-1.9.1-cp311-manylinux.whl (13.5 MB)");
        log.append(run, "");
        JsonPath grown = progress(run, "?afterRevision=0&afterLog=0");
        assertThat(grown.getString("lastLine")).isEqualTo("Downloading scikit_learn-1.9.1-cp311-manylinux.whl "
                + "(13.5 MB)");
        assertThat(grown.getLong("logSize")).isEqualTo(log.size(run)).isPositive();
    }

    @Test
    void aWaitingRequestIsAnsweredWhenTheLogGrows() {
        String run = building();
        log.append(run, "first");
        JsonPath now = progress(run, "");
        String query = "?afterRevision=" + now.getLong("run.revision") + "&afterLog=" + now.getLong("logSize")
                + "&waitMs=10000";
        CompletableFuture<JsonPath> waiting = CompletableFuture.supplyAsync(() -> progress(run, query));
        await().atMost(Duration.ofSeconds(5)).until(() -> waitingOn(run)); // the request is parked
        log.append(run, "second");
        JsonPath answer = await().atMost(Duration.ofSeconds(8)).until(() -> waiting.getNow(null),
                java.util.Objects::nonNull);
        assertThat(answer.getString("lastLine")).isEqualTo("second");
    }

    @Test
    void aRunThatChangesAnswersToo() {
        String run = building();
        JsonPath now = progress(run, "");
        String query = "?afterRevision=" + now.getLong("run.revision") + "&afterLog=" + now.getLong("logSize");
        CompletableFuture<JsonPath> waiting = CompletableFuture.supplyAsync(() -> progress(run, query));
        await().atMost(Duration.ofSeconds(5)).until(() -> waitingOn(run));
        runs.updateExisting(run, r -> r.withStep(new Step("build", Step.SUCCEEDED, Instant.now(), Instant.now())));
        JsonPath answer = await().atMost(Duration.ofSeconds(8)).until(() -> waiting.getNow(null),
                java.util.Objects::nonNull);
        assertThat(answer.getString("run.steps[0].status")).isEqualTo("succeeded");
    }

    @Test
    void aQueryThatIsNoNumberIsRefusedAndAWaitIsBounded() {
        String run = building();
        given().get("/api/v1/runs/" + run + "/progress?afterLog=lots").then().statusCode(
                org.hamcrest.Matchers.oneOf(400, 404));
        long started = System.nanoTime();
        progress(run, "?afterRevision=999&afterLog=999999&waitMs=-5"); // a negative wait is no wait
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anUnknownRunIsNotFound() {
        given().get("/api/v1/runs/nosuch-12345678/progress").then().statusCode(404)
                .body("error", containsString("nosuch-12345678"));
    }

    /** Whether a progress request waits on the run's log (it registered for the next line). */
    private boolean waitingOn(String run) {
        return log.waiters(run) > 0;
    }
}
