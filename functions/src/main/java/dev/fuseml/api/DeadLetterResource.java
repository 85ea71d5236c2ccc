package dev.fuseml.api;

import dev.fuseml.run.RunProjection;
import dev.fuseml.step.RunRef;
import io.cloudevents.CloudEvent;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The triggers' dead-letter sink: an event the broker could not deliver after its retries fails its run, with the
 * error Knative attaches (knativeerrorcode, knativeerrordest, knativeerrordata).
 */
@Path("/api/v1/deadletter")
public class DeadLetterResource {
    private static final System.Logger LOG = System.getLogger(DeadLetterResource.class.getName());
    private final RunProjection runs;

    public DeadLetterResource(RunProjection runs) {
        this.runs = runs;
    }

    @POST
    public Response deadLetter(@Context HttpHeaders headers, byte[] body) {
        CloudEvent event = ApiError.event(headers, body);
        String code = String.valueOf(event.getExtension("knativeerrorcode"));
        String dest = String.valueOf(event.getExtension("knativeerrordest"));
        Object data = event.getExtension("knativeerrordata");
        String detail = data == null ? "" : new String(Base64.getDecoder().decode(data.toString()),
                StandardCharsets.UTF_8);
        String cause = "event " + event.getType() + " could not be delivered to " + dest + " (last status " + code
                + ")" + (detail.isBlank() ? "" : ": " + detail);
        java.util.Map<String, String> ext = new java.util.HashMap<>();
        for (String name : event.getExtensionNames()) {
            ext.put(name, String.valueOf(event.getExtension(name)));
        }
        try {
            runs.fail(RunRef.of(ext), "delivery", cause, "");
        } catch (IllegalArgumentException notARun) {
            LOG.log(System.Logger.Level.WARNING, "dropped undeliverable event outside any run: " + cause);
        }
        return Response.accepted().build();
    }
}
