package dev.fuseml.eventing.cesql;

/** A parsed CESQL expression; immutable and safe to evaluate from many threads. */
public interface Expression {
    /** Evaluates against an event's attributes (names are lower-case; null means the attribute is absent). */
    Result evaluate(Attributes attributes);

    /** An event's context attributes and extensions, as CESQL sees them (Boolean, Integer or String values). */
    @FunctionalInterface
    interface Attributes {
        Object get(String name);
    }

    /** True when the expression evaluates to TRUE without error: how a trigger filter reads it. */
    default boolean matches(Attributes attributes) {
        Result result = evaluate(attributes);
        return !result.failed() && Boolean.TRUE.equals(result.value());
    }
}
