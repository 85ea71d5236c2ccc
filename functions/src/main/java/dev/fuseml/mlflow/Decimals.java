package dev.fuseml.mlflow;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Exact values of what subjects hand over as numbers (Long, Double, BigDecimal or numeric strings), so that filters
 * and order_by compare timestamps, versions and ids by value whatever their Java type.
 */
final class Decimals {
    private Decimals() {
    }

    /** A number's exact value, or null for NaN, infinities and strings that are not numbers. */
    static BigDecimal exact(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            // valueOf, not new BigDecimal(d): a Double 0.1 must equal the literal 0.1
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        if (v instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
