package dev.fuseml.broker;

import dev.fuseml.eventing.CloudEventHttp;
import dev.fuseml.run.RunRef;
import dev.fuseml.state.JsonFiles;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Sends events to the org's broker over HTTP, as a function on Knative sends to its K_SINK. Retries a refused or
 * failed send a few times, because losing a step's result would stall its run.
 */
@ApplicationScoped
public class EventSink {
    private static final int ATTEMPTS = 6;
    private final BrokerAddress brokers;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public EventSink(BrokerAddress brokers) {
        this.brokers = brokers;
    }

    public static String source(String step) {
        return "fuseml/" + step;
    }

    public void emit(RunRef ref, String step, String type, Object data) {
        CloudEvent event;
        try {
            event = CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withType(type)
                    .withSource(URI.create(source(step))).withSubject(ref.app()).withTime(OffsetDateTime.now())
                    .withExtension(dev.fuseml.eventing.FusemlEvents.EXT_ORG, ref.org())
                    .withExtension(dev.fuseml.eventing.FusemlEvents.EXT_APP, ref.app())
                    .withExtension(dev.fuseml.eventing.FusemlEvents.EXT_RUN, ref.run())
                    .withData("application/json", JsonFiles.MAPPER.writeValueAsBytes(data)).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + type, e);
        }
        send(ref.org(), event);
    }

    public void send(String org, CloudEvent event) {
        URI target = brokers.ingress(org);
        String last = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<byte[]> response = http.send(CloudEventHttp.post(target, event, Duration.ofSeconds(30))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                last = "status " + response.statusCode() + ": " + new String(response.body());
                if (response.statusCode() / 100 == 4 && response.statusCode() != 404 && response.statusCode() != 429) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                last = e.toString();
            }
            try {
                Thread.sleep(100L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("the broker at " + target + " did not take event " + event.getType() + ": "
                + last);
    }
}
