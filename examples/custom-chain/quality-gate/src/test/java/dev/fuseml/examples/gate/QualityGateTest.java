package dev.fuseml.examples.gate;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The gate as the broker reaches it: a binary-mode CloudEvent in, the reply event out. */
@QuarkusTest
class QualityGateTest {
    private static String trained(double r2) {
        return "{\"repository\":\"http://x/git/workspace/wine.git\",\"commit\":\"abc\",\"params\":{},"
                + "\"environment\":\"venv:workspace/0123456789\",\"modelUri\":\"fuseml-artifacts:/workspace/wine/r1/"
                + "model\",\"metrics\":{\"r2\":" + r2 + ",\"rmse\":0.7}}";
    }

    private static io.restassured.specification.RequestSpecification delivery(String body) {
        return given().contentType("application/json").header("ce-id", "e1").header("ce-specversion", "1.0")
                .header("ce-type", "dev.fuseml.trained").header("ce-source", "fuseml/train")
                .header("ce-fusemlorg", "workspace").header("ce-fusemlapp", "wine").header("ce-fusemlrun", "r1")
                .body(body);
    }

    @Test
    void aModelAboveTheMinimumGoesOnAsApprovedWithItsRun() {
        delivery(trained(0.31)).post("/").then().statusCode(200)
                .header("ce-type", "dev.fuseml.trained.approved").header("ce-fusemlrun", "r1")
                .header("ce-fusemlorg", "workspace").body("modelUri", containsString("/model"))
                .body("metrics.r2", equalTo(0.31f));
    }

    @Test
    void aModelBelowTheMinimumFailsItsRunWithTheReason() {
        delivery(trained(0.05)).post("/").then().statusCode(200).header("ce-type", "dev.fuseml.failed")
                .header("ce-fusemlrun", "r1").body("step", equalTo("quality-gate"))
                .body("cause", containsString("r2 = 0.05 is below the minimum 0.15"));
    }

    @Test
    void aModelWithoutTheMetricFailsNamingIt() {
        delivery("{\"metrics\":{}}").post("/").then().statusCode(200).header("ce-type", "dev.fuseml.failed")
                .body("cause", containsString("no metric 'r2'"));
    }
}
