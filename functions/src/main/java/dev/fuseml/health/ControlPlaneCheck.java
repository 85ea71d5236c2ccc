package dev.fuseml.health;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Readiness of a step function: its control plane answers its status route. A function that cannot claim its step,
 * fetch code or post its log would take an event only to fail the run, so it says it is not ready instead.
 */
public final class ControlPlaneCheck implements HealthCheck {
    public static final String NAME = "control-plane-reachable";
    private static final Duration PATIENCE = Duration.ofSeconds(2);
    private final Supplier<String> controlPlane;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(PATIENCE).build();

    public ControlPlaneCheck(Supplier<String> controlPlane) {
        this.controlPlane = controlPlane;
    }

    @Override
    public HealthCheckResponse call() {
        String base = controlPlane.get().replaceAll("/+$", "");
        String problem;
        try {
            HttpResponse<Void> reply = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/status"))
                    .timeout(PATIENCE).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (reply.statusCode() == 200) {
                return HealthCheckResponse.named(NAME).up().withData("controlPlane", base).build();
            }
            problem = "its status route answered " + reply.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            problem = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        return HealthCheckResponse.named(NAME).down().withData("controlPlane", base).withData("problem", problem
                + ": check that the control plane runs and FUSEML_CONTROL_PLANE points at it").build();
    }
}
