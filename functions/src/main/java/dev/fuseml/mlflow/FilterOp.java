package dev.fuseml.mlflow;

/** A filter's comparators, and what the ordering ones say of two numbers. */
enum FilterOp {
    EQ("="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<="), LIKE("LIKE"), ILIKE("ILIKE"), IN("IN"),
    NOT_IN("NOT IN");

    /** The comparator as a filter writes it. */
    final String symbol;

    FilterOp(String symbol) {
        this.symbol = symbol;
    }

    boolean takesList() {
        return this == IN || this == NOT_IN;
    }

    boolean holds(double a, double b) {
        // primitive comparisons, so a NaN metric is != everything and nothing else, as in Python
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case GT -> a > b;
            case GE -> a >= b;
            case LT -> a < b;
            case LE -> a <= b;
            default -> throw new IllegalStateException(symbol);
        };
    }

    /** Whether a {@code compareTo} result {@code cmp} satisfies this comparator. */
    boolean holds(int cmp) {
        return switch (this) {
            case EQ -> cmp == 0;
            case NE -> cmp != 0;
            case GT -> cmp > 0;
            case GE -> cmp >= 0;
            case LT -> cmp < 0;
            case LE -> cmp <= 0;
            default -> throw new IllegalStateException(symbol);
        };
    }
}
