package dev.fuseml.mlflow;

import dev.fuseml.mlflow.SearchFilter.Subject;

import java.math.BigDecimal;
import java.util.Set;

/** One parsed clause of a filter, evaluated against a subject; immutable, as the filter holding it is shared. */
interface FilterClause {
    boolean test(Subject s);

    record MetricClause(String key, FilterOp op, double value) implements FilterClause {
        @Override
        public boolean test(Subject s) {
            Double v = (Double) SearchEntity.METRIC.valueIn(s, key);
            return v != null && op.holds(v, value);
        }
    }

    record NumberClause(String name, FilterOp op, BigDecimal value) implements FilterClause {
        @Override
        public boolean test(Subject s) {
            Object v = SearchEntity.ATTRIBUTE.valueIn(s, name);
            if (v == null) {
                return false;
            }
            BigDecimal exact = Decimals.exact(v);
            if (exact != null) {
                return op.holds(exact.compareTo(value));
            }
            // NaN and infinities have no exact form; a string that is not a number matches nothing
            return v instanceof Number n && op.holds(n.doubleValue(), value.doubleValue());
        }
    }

    /**
     * @param pattern    the LIKE/ILIKE pattern, compiled once rather than per subject; null for other comparators
     * @param whenAbsent what the clause says of a subject that lacks the value
     */
    record TextClause(SearchEntity entity, String key, FilterOp op, String value, Set<String> values,
            LikePattern pattern, boolean whenAbsent) implements FilterClause {
        @Override
        public boolean test(Subject s) {
            Object found = entity.valueIn(s, key);
            if (found == null) {
                return whenAbsent;
            }
            String v = found.toString();
            return switch (op) {
                case EQ -> v.equals(value);
                case NE -> !v.equals(value);
                case LIKE, ILIKE -> pattern.matches(v);
                case IN -> values.contains(v);
                case NOT_IN -> !values.contains(v);
                default -> throw new IllegalStateException(op.symbol);
            };
        }

        @Override
        public String toString() {
            return entity.label + " " + key + " " + op.symbol + " " + (op.takesList() ? values : "'" + value + "'");
        }
    }
}
