package dev.fuseml.step;

/**
 * Where a function sends the events it emits outside a reply: {@code $K_SINK} when set (Knative's SinkBinding
 * contract), otherwise the configured broker's ingress for the run's org.
 */
public interface EventSink {
    /** Sends an event of the run; throws when the broker did not take it after retrying. */
    void emit(RunRef ref, String source, String type, Object data);

    /** Sends an event about an app outside any run (such as {@code dev.fuseml.deleted}). */
    void emitForApp(String org, String app, String source, String type, Object data);

    /** Sends an event made elsewhere (a client's, taken by the control plane) to the org's broker as it is. */
    void send(String org, io.cloudevents.CloudEvent event);
}
