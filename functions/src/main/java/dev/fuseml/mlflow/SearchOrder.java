package dev.fuseml.mlflow;

import dev.fuseml.mlflow.SearchFilter.Subject;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** MLflow's order_by clauses ({@code metrics.rmse DESC}), checked against a kind's rules, as a comparator. */
final class SearchOrder {
    private static final String USAGE = "expected '<key> [ASC|DESC]', e.g. 'metrics.rmse DESC'";

    private static final Comparator<Subject> KEEP_ORDER = (a, b) -> 0;

    private SearchOrder() {
    }

    /** See {@link SearchFilter#orderBy}. */
    static Comparator<Subject> of(SearchRules rules, List<String> orderBy) {
        if (orderBy == null || orderBy.isEmpty()) {
            return KEEP_ORDER;
        }
        if (orderBy.size() > SearchFilter.MAX_CLAUSES) {
            throw new IllegalArgumentException("Too many order_by clauses (" + orderBy.size() + "); the limit is "
                    + SearchFilter.MAX_CLAUSES);
        }
        Comparator<Subject> result = null;
        for (String clause : orderBy) {
            SortKey key = sortKey(rules, clause);
            result = result == null ? key : result.thenComparing(key);
        }
        return result;
    }

    private static SortKey sortKey(SearchRules rules, String clause) {
        if (clause == null || clause.isBlank()) {
            throw new IllegalArgumentException("Invalid order_by clause '" + clause + "'. Could not be parsed; "
                    + USAGE);
        }
        if (clause.length() > SearchFilter.MAX_LENGTH) {
            throw new IllegalArgumentException("order_by clause is too long (" + clause.length()
                    + " characters); the limit is " + SearchFilter.MAX_LENGTH + " characters");
        }
        FilterLexer in = new FilterLexer(clause, "order_by clause");
        FilterLexer.Name name = in.name();
        in.skipSpace();
        boolean ascending = true;
        if (!in.atEnd()) {
            int at = in.position();
            String word = in.word();
            if (word.isEmpty()) {
                throw new IllegalArgumentException("Invalid order_by clause '" + clause + "'. Could not be parsed: "
                        + "unexpected '" + in.snippet(at) + "' at position " + at + "; " + USAGE);
            }
            switch (word.toUpperCase(Locale.ROOT)) {
                case "ASC" -> ascending = true;
                case "DESC" -> ascending = false;
                default -> throw new IllegalArgumentException("Invalid ordering key in order_by clause '" + clause
                        + "': '" + word + "'; expected ASC or DESC");
            }
            in.skipSpace();
            if (!in.atEnd()) {
                throw new IllegalArgumentException("Invalid order_by clause '" + clause + "'. Could not be parsed: "
                        + "unexpected '" + in.snippet(in.position()) + "' at position " + in.position() + "; "
                        + USAGE);
            }
        }
        SearchEntity entity = SearchEntity.ATTRIBUTE;
        if (name.prefix() != null) {
            entity = rules.orderPrefixes().get(name.prefix());
            if (entity == null) {
                throw new IllegalArgumentException("Invalid entity type '" + name.prefix() + "' in order_by clause '"
                        + clause + "'. " + capitalise(rules.plural()) + " can be ordered by " + rules.orderHint());
            }
        }
        if (!rules.orderEntities().contains(entity)) {
            throw new IllegalArgumentException("Invalid order_by entity '" + entity.label + "' in order_by clause '"
                    + clause + "'. " + capitalise(rules.plural()) + " can be ordered by " + rules.orderHint());
        }
        if (entity != SearchEntity.ATTRIBUTE) {
            return new SortKey(entity, name.key(), false, ascending);
        }
        String canonical = rules.orderAttributes().get(name.key());
        if (canonical == null) {
            throw new IllegalArgumentException("Invalid order_by key '" + name.key() + "' specified. Valid keys are "
                    + rules.orderAttributes().keySet());
        }
        return new SortKey(entity, canonical, rules.numberCanonical().contains(canonical), ascending);
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private record SortKey(SearchEntity entity, String key, boolean numeric, boolean ascending)
            implements Comparator<Subject> {
        @Override
        public int compare(Subject a, Subject b) {
            Object va = value(a);
            Object vb = value(b);
            int ra = rank(va);
            int rb = rank(vb);
            if (ra != rb) {
                return Integer.compare(ra, rb); // not reversed: missing values stay last when descending too
            }
            if (ra != 0) {
                return 0;
            }
            int c = compareValues(va, vb);
            return ascending ? c : -c;
        }

        private Object value(Subject s) {
            Object v = entity.valueIn(s, key);
            if (numeric && v instanceof String) {
                BigDecimal d = Decimals.exact(v);
                // "10" must come after "9" when a subject hands versions or ids over as strings
                return d == null ? v : d;
            }
            return v;
        }

        /* MLflow sorts runs' values, then NaNs, then missing values, in either direction. */
        private static int rank(Object v) {
            if (v == null) {
                return 2;
            }
            if (v instanceof Double d && d.isNaN() || v instanceof Float f && f.isNaN()) {
                return 1;
            }
            return 0;
        }

        private static int compareValues(Object a, Object b) {
            boolean an = a instanceof Number;
            boolean bn = b instanceof Number;
            if (an && bn) {
                return Integer.signum(compareNumbers((Number) a, (Number) b));
            }
            if (an != bn) {
                // numbers before text, so a column mixing both still has one consistent order
                return an ? -1 : 1;
            }
            return Integer.signum(compareText(a.toString(), b.toString()));
        }

        private static int compareNumbers(Number a, Number b) {
            if ((a instanceof Double || a instanceof Float) && (b instanceof Double || b instanceof Float)) {
                return Double.compare(a.doubleValue(), b.doubleValue());
            }
            if ((a instanceof Long || a instanceof Integer) && (b instanceof Long || b instanceof Integer)) {
                return Long.compare(a.longValue(), b.longValue());
            }
            BigDecimal da = Decimals.exact(a);
            BigDecimal db = Decimals.exact(b);
            return da != null && db != null ? da.compareTo(db) : Double.compare(a.doubleValue(), b.doubleValue());
        }

        /* By code point, as Python compares strings; String.compareTo would put some BMP characters after emoji. */
        private static int compareText(String a, String b) {
            int i = 0;
            int j = 0;
            while (i < a.length() && j < b.length()) {
                int ca = a.codePointAt(i);
                int cb = b.codePointAt(j);
                if (ca != cb) {
                    return Integer.compare(ca, cb);
                }
                i += Character.charCount(ca);
                j += Character.charCount(cb);
            }
            return Integer.compare(a.length() - i, b.length() - j);
        }
    }
}
