package dev.fuseml.platform;

import dev.fuseml.broker.DefaultChain;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.step.RunRef;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks a binary-mode delivery to a step function before Funqy takes it: an event without the run's identity can
 * never be worked on, so it gets 400 (which a broker does not retry), not the 500 of a failed function (which it
 * retries until the dead-letter sink).
 */
final class StepRequests {
    private StepRequests() {
    }

    /** The header that keeps the type an event had when a trigger delivered it to a step under another type. */
    static final String DELIVERED_TYPE = "ce-fusemldeliveredtype";

    /**
     * The CloudEvent type the step at {@code path} is bound to, when a binary-mode delivery there has another one:
     * a trigger delivers whatever its filter passes to its subscriber, as Knative does, so an org that reroutes a
     * step (register taking {@code dev.fuseml.trained.approved} from its quality gate) reaches it at its path,
     * while Funqy maps a delivery to a function by its type. The type it came with is kept in
     * {@value #DELIVERED_TYPE}.
     */
    static Optional<String> boundType(String method, String path, Function<String, String> header) {
        String function = path.length() > 1 ? path.substring(1) : "";
        String bound = DefaultChain.STEPS.get(function);
        if (!"POST".equals(method) || bound == null || header.apply("ce-specversion") == null
                || bound.equals(header.apply("ce-type"))) {
            return Optional.empty();
        }
        return Optional.of(bound);
    }

    /** What is wrong with a delivery to {@code path}, or empty when it may go on. */
    static Optional<String> problem(String method, String path, Function<String, String> header) {
        String function = path.length() > 1 ? path.substring(1) : "";
        boolean appLevel = DefaultChain.SERVE_EXTRAS.containsKey(function);
        if (!"POST".equals(method) || !(DefaultChain.ORDER.contains(function) || appLevel)
                || header.apply("ce-specversion") == null) {
            return Optional.empty(); // structured mode and other requests are Funqy's to read
        }
        for (String required : new String[]{"id", "source", "type"}) {
            String value = header.apply("ce-" + required);
            if (value == null || value.isEmpty()) {
                return Optional.of("the CloudEvent's " + required + " is empty or missing: CloudEvents 1.0 requires "
                        + "a non-empty ce-" + required + " header");
            }
        }
        Map<String, String> ext = new HashMap<>();
        for (String name : FusemlEvents.RUN_EXTENSIONS) {
            String value = header.apply("ce-" + name);
            if (value != null) {
                ext.put(name, value);
            }
        }
        if (appLevel) {
            ext.putIfAbsent(FusemlEvents.EXT_RUN, function); // app-level events belong to no run
        }
        try {
            RunRef.ofHeaders(ext);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
