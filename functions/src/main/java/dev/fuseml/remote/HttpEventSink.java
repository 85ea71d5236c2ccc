package dev.fuseml.remote;

import dev.fuseml.eventing.CloudEventHttp;
import dev.fuseml.eventing.EventSchemas;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.Patience;
import dev.fuseml.step.RunRef;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends events to a broker ingress over HTTP (binary mode), as a function on Knative sends to its {@code K_SINK}.
 * A refused or failed send is retried for a while: losing a step's result would stall its run, and the broker may
 * be restarting.
 */
public class HttpEventSink implements EventSink {
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private final Function<String, URI> ingress;
    private final Supplier<String> controlPlane;
    private final Function<String, String> authorization;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    /**
     * @param ingress      the broker ingress for an org ({@code $K_SINK} for every org on Knative)
     * @param controlPlane where the event schemas are published, for {@code dataschema}
     * @param authorization the Authorization header for the ingress (the deployment's token), or null
     */
    public HttpEventSink(Function<String, URI> ingress, Supplier<String> controlPlane, String authorization) {
        this(ingress, controlPlane, org -> authorization);
    }

    /**
     * @param authorization the Authorization header for an org's ingress, or null for none (a Knative Broker takes
     *                      a token for its own audience, one per org)
     */
    public HttpEventSink(Function<String, URI> ingress, Supplier<String> controlPlane,
            Function<String, String> authorization) {
        this.ingress = ingress;
        this.controlPlane = controlPlane;
        this.authorization = authorization;
    }

    @Override
    public void emit(RunRef ref, String source, String type, Object data) {
        send(ref.org(), ref.app(), source, type, data, ref.extensions());
    }

    @Override
    public void emitForApp(String org, String app, String source, String type, Object data) {
        send(org, app, source, type, data, Map.of(FusemlEvents.EXT_ORG, org, FusemlEvents.EXT_APP, app));
    }

    private void send(String org, String app, String source, String type, Object data, Map<String, String> ext) {
        CloudEventBuilder builder = CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withType(type)
                .withSource(URI.create(source)).withSubject(app).withTime(OffsetDateTime.now())
                .withDataSchema(EventSchemas.uri(controlPlane.get(), type));
        ext.forEach(builder::withExtension);
        CloudEvent event;
        try {
            event = builder.withData("application/json", ControlPlaneHttp.JSON.writeValueAsBytes(data)).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + type, e);
        }
        send(org, event);
    }

    /** Posts {@code event} to the org's ingress, retrying transport errors, 5xx, 404 and 429. */
    @Override
    public void send(String org, CloudEvent event) {
        URI target = ingress.apply(org);
        Patience waiting = new Patience(PATIENCE);
        String last;
        while (true) {
            try {
                java.net.http.HttpRequest.Builder request = CloudEventHttp.post(target, event, Duration.ofSeconds(30));
                String header = authorization.apply(org);
                if (header != null) {
                    request.header("Authorization", header);
                }
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return;
                }
                last = "status " + status + ": " + new String(response.body());
                if (status / 100 == 4 && status != 404 && status != 429) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = "interrupted";
                break;
            } catch (IOException e) {
                last = e.toString();
            }
            try {
                if (!waiting.pause()) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            target = ingress.apply(org); // the broker may have moved
        }
        throw new IllegalStateException("the broker at " + target + " did not take event " + event.getType() + ": "
                + last);
    }
}
