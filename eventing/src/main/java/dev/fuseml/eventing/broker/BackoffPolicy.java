package dev.fuseml.eventing.broker;

/** Knative's {@code delivery.backoffPolicy}. */
public enum BackoffPolicy {
    LINEAR, EXPONENTIAL;

    public static BackoffPolicy parse(String value) {
        if (value == null || value.isBlank()) {
            return EXPONENTIAL;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "linear" -> LINEAR;
            case "exponential" -> EXPONENTIAL;
            default -> throw new IllegalArgumentException("'" + value + "' is not one of linear, exponential");
        };
    }
}
