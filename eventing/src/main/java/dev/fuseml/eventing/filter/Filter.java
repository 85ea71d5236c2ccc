package dev.fuseml.eventing.filter;

import dev.fuseml.eventing.cesql.Cesql;
import dev.fuseml.eventing.cesql.Expression;
import io.cloudevents.CloudEvent;

import java.util.List;
import java.util.Map;

/**
 * A trigger's event filter: Knative's {@code spec.filter.attributes} and the {@code spec.filters} dialects
 * (exact, prefix, suffix, all, any, not, cesql). An attribute the event lacks never matches exact, prefix or
 * suffix.
 */
public sealed interface Filter {
    boolean matches(CloudEvent event);

    /** Matches every event (a trigger without filters). */
    Filter ALL_EVENTS = new All(List.of());

    /** Every attribute equals its value. */
    record Exact(Map<String, String> attributes) implements Filter {
        @Override
        public boolean matches(CloudEvent event) {
            return every(event, attributes, String::equals);
        }
    }

    /** Every attribute starts with its value. */
    record Prefix(Map<String, String> attributes) implements Filter {
        @Override
        public boolean matches(CloudEvent event) {
            return every(event, attributes, String::startsWith);
        }
    }

    /** Every attribute ends with its value. */
    record Suffix(Map<String, String> attributes) implements Filter {
        @Override
        public boolean matches(CloudEvent event) {
            return every(event, attributes, String::endsWith);
        }
    }

    record All(List<Filter> filters) implements Filter {
        @Override
        public boolean matches(CloudEvent event) {
            for (Filter f : filters) {
                if (!f.matches(event)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Any(List<Filter> filters) implements Filter {
        @Override
        public boolean matches(CloudEvent event) {
            for (Filter f : filters) {
                if (f.matches(event)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Not(Filter filter) implements Filter {
        @Override
        public boolean matches(CloudEvent event) {
            return !filter.matches(event);
        }
    }

    /** A CESQL expression: matches when it evaluates to TRUE without error. */
    record Sql(String expression, Expression parsed) implements Filter {
        public static Sql of(String expression) {
            return new Sql(expression, Cesql.parse(expression));
        }

        @Override
        public boolean matches(CloudEvent event) {
            return parsed.matches(Cesql.attributesOf(event));
        }
    }

    /** True when every attribute is present and {@code test(actual, wanted)} holds (a loop: this is the hot path). */
    private static boolean every(CloudEvent event, Map<String, String> attributes,
            java.util.function.BiPredicate<String, String> test) {
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            String actual = attribute(event, e.getKey());
            if (actual == null || !test.test(actual, e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** A context attribute or extension as a string, as Knative's filters compare them; null when absent. */
    static String attribute(CloudEvent event, String name) {
        Object value = Cesql.attribute(event, name);
        return value == null ? null : Cesql.normalise(value).toString();
    }
}
