package dev.fuseml.eventing.broker;

import java.net.URI;
import java.time.Duration;

/**
 * Knative's {@code DeliverySpec}: how often and how patiently a trigger's subscriber is tried, and where an event
 * goes when it never gets through.
 *
 * @param retry          retries after the first attempt
 * @param backoffPolicy  how the delay grows
 * @param backoffDelay   the base delay
 * @param timeout        per attempt
 * @param deadLetterSink where undeliverable events go, may be null
 */
public record DeliverySpec(int retry, BackoffPolicy backoffPolicy, Duration backoffDelay, Duration timeout,
        URI deadLetterSink) {

    public static DeliverySpec defaults() {
        return new DeliverySpec(5, BackoffPolicy.EXPONENTIAL, Duration.ofMillis(200), Duration.ofSeconds(30), null);
    }

    public DeliverySpec withDeadLetterSink(URI sink) {
        return new DeliverySpec(retry, backoffPolicy, backoffDelay, timeout, sink);
    }

    /**
     * Delay before retry number {@code n} (1-based), as knative/eventing computes it: linear is
     * {@code backoffDelay * n}, exponential is {@code backoffDelay * 2^n}.
     */
    public Duration delayBeforeRetry(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("retry numbers start at 1, got " + n);
        }
        return switch (backoffPolicy) {
            case LINEAR -> backoffDelay.multipliedBy(n);
            case EXPONENTIAL -> backoffDelay.multipliedBy(1L << Math.min(n, 30));
        };
    }

    /** Parses an ISO-8601 duration such as {@code PT0.5S}, naming the field on error. */
    public static Duration parseDuration(String field, String value) {
        try {
            return Duration.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not an ISO-8601 duration such as PT0.5S");
        }
    }
}
