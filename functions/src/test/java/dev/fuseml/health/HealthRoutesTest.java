package dev.fuseml.health;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

/** The running orchestrator (the embedded default: control plane and steps) answers Kubernetes' probes. */
@QuarkusTest
class HealthRoutesTest {
    @Test
    void livenessLooksAtTheEmbeddedBrokersLogWriter() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"))
                .body("checks.find { it.name == 'broker-log-writer' }.status", is("UP"))
                .body("checks.find { it.name == 'broker-log-writer' }.data.broker", is("embedded"));
    }

    @Test
    void readinessLooksAtTheDataDirectoryAndTheControlPlane() {
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"))
                .body("checks.name", hasItems(DataDirCheck.NAME, ControlPlaneCheck.NAME))
                .body("checks.find { it.name == 'control-plane-reachable' }.data.controlPlane", is("this process"));
    }

    @Test
    void healthNeedsNoToken() {
        given().header("Authorization", "Bearer not-a-token").get("/q/health").then().statusCode(200)
                .body("status", is("UP"));
    }
}
