package dev.fuseml.examples.gate;

import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A quality gate between train and register: a trained model whose metric is below the configured minimum is
 * refused, and its run ends failed with the reason; any other goes on as {@code dev.fuseml.trained.approved}, which
 * the org's overridden register trigger takes. It answers the broker's delivery with that event (a Knative reply),
 * keeping the run's extension attributes, so it needs no token and no address of its own broker.
 */
public class QualityGate {
    static final String APPROVED = "dev.fuseml.trained.approved";
    static final String FAILED = "dev.fuseml.failed";

    @ConfigProperty(name = "gate.metric", defaultValue = "r2")
    String metric;

    @ConfigProperty(name = "gate.minimum", defaultValue = "0.15")
    double minimum;

    @Funq
    @CloudEventMapping(trigger = "dev.fuseml.trained")
    public CloudEvent<Map<String, Object>> gate(CloudEvent<Map<String, Object>> trained) {
        Map<String, Object> data = trained.data() == null ? Map.of() : trained.data();
        Object metrics = data.get("metrics");
        Object value = metrics instanceof Map<?, ?> m ? m.get(metric) : null;
        if (!(value instanceof Number number)) {
            return reply(trained, FAILED, failure("the model reports no metric '" + metric + "' (gate.metric): "
                    + "write it to $FUSEML_METRICS_FILE, or gate on another metric"));
        }
        if (number.doubleValue() < minimum) {
            return reply(trained, FAILED, failure("quality gate: " + metric + " = " + number + " is below the "
                    + "minimum " + minimum + " (gate.minimum); the model was not registered"));
        }
        return reply(trained, APPROVED, data);
    }

    private static Map<String, Object> failure(String cause) {
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("step", "quality-gate");
        failed.put("cause", cause);
        failed.put("logExcerpt", "");
        return failed;
    }

    /** The reply, with the run's extension attributes (fusemlorg, fusemlapp, fusemlrun) of the event it answers. */
    private static CloudEvent<Map<String, Object>> reply(CloudEvent<?> in, String type, Map<String, Object> data) {
        return CloudEventBuilder.create().id(UUID.randomUUID().toString()).type(type).source("quality-gate")
                .subject(in.subject()).time(OffsetDateTime.now()).extensions(in.extensions()).build(data);
    }
}
