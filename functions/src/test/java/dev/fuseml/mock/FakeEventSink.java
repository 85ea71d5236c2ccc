package dev.fuseml.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.RunRef;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a function emits, as a broker ingress would receive it. */
public class FakeEventSink implements EventSink {
    public record Emitted(String org, String app, String run, String source, String type, JsonNode data) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    public final List<Emitted> emitted = new CopyOnWriteArrayList<>();

    @Override
    public void emit(RunRef ref, String source, String type, Object data) {
        emitted.add(new Emitted(ref.org(), ref.app(), ref.run(), source, type, JSON.valueToTree(data)));
    }

    @Override
    public void emitForApp(String org, String app, String source, String type, Object data) {
        emitted.add(new Emitted(org, app, null, source, type, JSON.valueToTree(data)));
    }

    @Override
    public void send(String org, io.cloudevents.CloudEvent event) {
        JsonNode data = null;
        try {
            data = event.getData() == null ? null : JSON.readTree(event.getData().toBytes());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        emitted.add(new Emitted(org, String.valueOf(event.getExtension("fusemlapp")),
                (String) event.getExtension("fusemlrun"), event.getSource().toString(), event.getType(), data));
    }
}
