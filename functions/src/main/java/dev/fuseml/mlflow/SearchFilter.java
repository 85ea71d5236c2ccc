package dev.fuseml.mlflow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * MLflow's search filter strings ({@code metrics.rmse < 1 AND params.model = 'cnn'}) and order_by clauses
 * ({@code metrics.rmse DESC}), parsed and evaluated in memory for each kind of entity MLflow searches, with the
 * identifiers, comparators and value types MLflow's {@code mlflow/utils/search_utils.py} allows for that kind.
 *
 * <p>A parsed filter is immutable and may be shared between threads.
 */
public final class SearchFilter {
    public enum Kind { RUNS, EXPERIMENTS, REGISTERED_MODELS, MODEL_VERSIONS, LOGGED_MODELS }

    /** What a filter is evaluated against; absent values return empty. */
    public interface Subject {
        /** The latest value of a metric. */
        Optional<Double> metric(String key);

        Optional<String> param(String key);

        Optional<String> tag(String key);

        /**
         * An attribute by MLflow's canonical name: a String, Long or Double, or empty. The names asked for, per kind:
         * <ul>
         * <li>RUNS: run_id, run_name, user_id, status, artifact_uri, start_time, end_time</li>
         * <li>EXPERIMENTS: name, creation_time, last_update_time, experiment_id (order_by only)</li>
         * <li>REGISTERED_MODELS: name, creation_timestamp, last_updated_timestamp (the last two order_by only)</li>
         * <li>MODEL_VERSIONS: name, version, run_id, source, creation_timestamp, last_updated_timestamp (the last two
         * order_by only); filters say {@code version_number} and {@code source_path}, the entity's fields are
         * {@code version} and {@code source}</li>
         * <li>LOGGED_MODELS: name, model_id, model_type, status, source_run_id, creation_timestamp,
         * last_updated_timestamp</li>
         * </ul>
         * Timestamps and versions may be given as numbers or as numeric strings.
         */
        Optional<Object> attribute(String name);
    }

    static final int MAX_LENGTH = 10_000;
    static final int MAX_CLAUSES = 100;

    /*
     * MLflow's UI lists models with tags.`mlflow.prompt.is_prompt` != 'true', and models that are not prompts never
     * carry the tag, so MLflow reads its absence as 'false' for registered models and versions.
     */
    private static final String PROMPT_TAG = "mlflow.prompt.is_prompt";

    /* sqlparse's integer and float literals, which are the only numbers MLflow's grammar accepts. */
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?");

    private static final String USAGE = "e.g. metrics.rmse < 1 AND params.model = 'cnn'";
    private static final String ORDER_USAGE = "expected '<key> [ASC|DESC]', e.g. 'metrics.rmse DESC'";

    private enum Entity {
        METRIC("metric"), PARAM("parameter"), TAG("tag"), ATTRIBUTE("attribute"), DATASET("dataset");

        final String label;

        Entity(String label) {
            this.label = label;
        }
    }

    private enum Op {
        EQ("="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<="), LIKE("LIKE"), ILIKE("ILIKE"), IN("IN"),
        NOT_IN("NOT IN");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        boolean takesList() {
            return this == IN || this == NOT_IN;
        }
    }

    private static final Set<Op> NUMBER_OPS = Set.of(Op.EQ, Op.NE, Op.GT, Op.GE, Op.LT, Op.LE);
    private static final Set<Op> TEXT_OPS = Set.of(Op.EQ, Op.NE, Op.LIKE, Op.ILIKE);
    private static final Set<Op> TEXT_AND_LIST_OPS = Set.of(Op.EQ, Op.NE, Op.LIKE, Op.ILIKE, Op.IN, Op.NOT_IN);

    /**
     * What one kind allows.
     *
     * @param textAttributes   attribute keys as written in a filter, to their canonical names
     * @param listAttributes   canonical names of the text attributes that take IN lists
     * @param quotedNumbers    whether numeric attributes also take quoted numbers (MLflow's model versions do)
     * @param orderAttributes  attribute keys as written in an order_by clause, to their canonical names
     * @param numberCanonical  canonical names ordered as numbers even when a subject gives them as strings
     */
    private record Rules(String plural, Map<String, Entity> prefixes, String prefixHint,
            Map<String, String> textAttributes, Map<String, String> numberAttributes, Set<Op> textAttributeOps,
            Set<String> listAttributes, boolean quotedNumbers, boolean absentPromptTagIsFalse,
            Map<String, Entity> orderPrefixes, Set<Entity> orderEntities, String orderHint,
            Map<String, String> orderAttributes, Set<String> numberCanonical) {
        Set<String> filterKeys() {
            Set<String> keys = new LinkedHashSet<>(textAttributes.keySet());
            keys.addAll(numberAttributes.keySet());
            return keys;
        }
    }

    private static final Map<String, Entity> ALL_PREFIXES = ordered("metrics", Entity.METRIC, "metric",
            Entity.METRIC, "params", Entity.PARAM, "param", Entity.PARAM, "parameters", Entity.PARAM, "parameter",
            Entity.PARAM, "tags", Entity.TAG, "tag", Entity.TAG, "attributes", Entity.ATTRIBUTE, "attribute",
            Entity.ATTRIBUTE, "attr", Entity.ATTRIBUTE, "run", Entity.ATTRIBUTE, "datasets", Entity.DATASET,
            "dataset", Entity.DATASET);

    // MLflow itself takes only "attribute" here; "attributes" and "attr" are accepted too, as runs accept them.
    private static final Map<String, Entity> TAG_AND_ATTRIBUTE_PREFIXES = ordered("tags", Entity.TAG, "tag",
            Entity.TAG, "attributes", Entity.ATTRIBUTE, "attribute", Entity.ATTRIBUTE, "attr", Entity.ATTRIBUTE);

    private static final Rules RUNS = new Rules("runs", ALL_PREFIXES, "metrics, params, tags, attributes",
            ordered("run_id", "run_id", "run_name", "run_name", "user_id", "user_id", "status", "status",
                    "artifact_uri", "artifact_uri", "run name", "run_name", "Run name", "run_name", "Run Name",
                    "run_name"),
            ordered("start_time", "start_time", "end_time", "end_time", "created", "start_time", "Created",
                    "start_time"),
            TEXT_AND_LIST_OPS, Set.of("run_id"), false, false,
            ALL_PREFIXES, Set.of(Entity.METRIC, Entity.PARAM, Entity.TAG, Entity.ATTRIBUTE),
            "metrics, params, tags or attributes",
            ordered("run_id", "run_id", "run_name", "run_name", "user_id", "user_id", "status", "status",
                    "artifact_uri", "artifact_uri", "start_time", "start_time", "end_time", "end_time", "created",
                    "start_time", "Created", "start_time"),
            Set.of("start_time", "end_time"));

    private static final Rules EXPERIMENTS = new Rules("experiments", TAG_AND_ATTRIBUTE_PREFIXES,
            "attribute, tags", ordered("name", "name"),
            ordered("creation_time", "creation_time", "last_update_time", "last_update_time"),
            TEXT_AND_LIST_OPS, Set.of(), false, false,
            TAG_AND_ATTRIBUTE_PREFIXES, Set.of(Entity.ATTRIBUTE), "attributes",
            ordered("name", "name", "experiment_id", "experiment_id", "creation_time", "creation_time",
                    "last_update_time", "last_update_time"),
            Set.of("experiment_id", "creation_time", "last_update_time"));

    private static final Rules REGISTERED_MODELS = new Rules("registered models", TAG_AND_ATTRIBUTE_PREFIXES,
            "attribute, tags", ordered("name", "name"), ordered(),
            TEXT_AND_LIST_OPS, Set.of(), false, true,
            TAG_AND_ATTRIBUTE_PREFIXES, Set.of(Entity.ATTRIBUTE), "attributes",
            ordered("name", "name", "timestamp", "creation_timestamp", "creation_timestamp", "creation_timestamp",
                    "last_updated_timestamp", "last_updated_timestamp"),
            Set.of("creation_timestamp", "last_updated_timestamp"));

    private static final Rules MODEL_VERSIONS = new Rules("model versions", TAG_AND_ATTRIBUTE_PREFIXES,
            "attribute, tags", ordered("name", "name", "run_id", "run_id", "source_path", "source"),
            ordered("version_number", "version"),
            Set.of(Op.EQ, Op.NE, Op.LIKE, Op.ILIKE, Op.IN), Set.of("run_id"), true, true,
            TAG_AND_ATTRIBUTE_PREFIXES, Set.of(Entity.ATTRIBUTE), "attributes",
            ordered("name", "name", "version_number", "version", "creation_timestamp", "creation_timestamp",
                    "last_updated_timestamp", "last_updated_timestamp"),
            Set.of("version", "creation_timestamp", "last_updated_timestamp"));

    private static final Rules LOGGED_MODELS = new Rules("logged models", ALL_PREFIXES,
            "metrics, params, tags, attributes",
            ordered("name", "name", "model_id", "model_id", "model_type", "model_type", "status", "status",
                    "source_run_id", "source_run_id"),
            ordered("creation_timestamp", "creation_timestamp", "creation_time", "creation_timestamp",
                    "last_updated_timestamp", "last_updated_timestamp", "last_updated_time",
                    "last_updated_timestamp"),
            TEXT_AND_LIST_OPS, Set.of("name", "model_id", "model_type", "status", "source_run_id"), false, false,
            ordered("metrics", Entity.METRIC), Set.of(Entity.METRIC, Entity.ATTRIBUTE), "metrics.<name> or an attribute such as creation_timestamp",
            ordered("name", "name", "model_id", "model_id", "model_type", "model_type", "status", "status",
                    "source_run_id", "source_run_id", "creation_timestamp", "creation_timestamp", "creation_time",
                    "creation_timestamp", "last_updated_timestamp", "last_updated_timestamp", "last_updated_time",
                    "last_updated_timestamp"),
            Set.of("creation_timestamp", "last_updated_timestamp"));

    private static final Comparator<Subject> KEEP_ORDER = (a, b) -> 0;

    private final Kind kind;
    private final List<Clause> clauses;

    private SearchFilter(Kind kind, List<Clause> clauses) {
        this.kind = kind;
        this.clauses = clauses;
    }

    /**
     * Parses; blank or null means "everything". Throws IllegalArgumentException whose message names the problem and
     * the expected form (it is sent to users as INVALID_PARAMETER_VALUE).
     */
    public static SearchFilter parse(Kind kind, String filter) {
        Objects.requireNonNull(kind, "kind");
        if (filter == null || filter.isBlank()) {
            return new SearchFilter(kind, List.of());
        }
        if (filter.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Filter string is too long (" + filter.length()
                    + " characters); the limit is " + MAX_LENGTH + " characters");
        }
        Rules rules = rules(kind);
        Reader in = new Reader(filter, "filter");
        List<Clause> clauses = new ArrayList<>();
        while (true) {
            if (clauses.size() == MAX_CLAUSES) {
                throw new IllegalArgumentException("Filter string has more than " + MAX_CLAUSES
                        + " clauses; the limit is " + MAX_CLAUSES + " clauses joined with AND");
            }
            clauses.add(in.clause(rules));
            in.skipSpace();
            if (in.atEnd()) {
                break;
            }
            int at = in.pos;
            String word = in.readWhile(SearchFilter::isWord).toUpperCase(Locale.ROOT);
            if (word.equals("AND")) {
                in.skipSpace();
                if (in.atEnd()) {
                    throw in.fail("The filter ends with AND at position " + at
                            + "; expected another clause after AND, " + USAGE);
                }
            } else if (word.equals("OR")) {
                throw in.fail("Invalid clause(s) in filter string: 'OR' at position " + at
                        + ". Clauses can only be joined with AND, " + USAGE);
            } else {
                throw in.fail("Unexpected '" + in.snippet(at) + "' at position " + at
                        + "; clauses must be joined with AND, " + USAGE);
            }
        }
        return new SearchFilter(kind, List.copyOf(clauses));
    }

    public boolean test(Subject s) {
        for (Clause clause : clauses) {
            if (!clause.test(s)) {
                return false;
            }
        }
        return true;
    }

    /**
     * An order_by list as MLflow takes it ("metrics.rmse DESC", "attributes.start_time", "name ASC"); returns a
     * Comparator; ties are left to the caller (use thenComparing). Null/empty list gives a comparator that keeps
     * order. Unknown keys: IllegalArgumentException. Missing values sort last in either direction, as MLflow does for
     * runs (and a NaN metric just before them).
     */
    public static Comparator<Subject> orderBy(Kind kind, List<String> orderBy) {
        Objects.requireNonNull(kind, "kind");
        if (orderBy == null || orderBy.isEmpty()) {
            return KEEP_ORDER;
        }
        if (orderBy.size() > MAX_CLAUSES) {
            throw new IllegalArgumentException("Too many order_by clauses (" + orderBy.size() + "); the limit is "
                    + MAX_CLAUSES);
        }
        Rules rules = rules(kind);
        Comparator<Subject> result = null;
        for (String clause : orderBy) {
            SortKey key = sortKey(rules, clause);
            result = result == null ? key : result.thenComparing(key);
        }
        return result;
    }

    @Override
    public String toString() {
        return "SearchFilter[" + kind + ", " + clauses + "]";
    }

    private static Rules rules(Kind kind) {
        return switch (kind) {
            case RUNS -> RUNS;
            case EXPERIMENTS -> EXPERIMENTS;
            case REGISTERED_MODELS -> REGISTERED_MODELS;
            case MODEL_VERSIONS -> MODEL_VERSIONS;
            case LOGGED_MODELS -> LOGGED_MODELS;
        };
    }

    // ---- evaluation ----

    private interface Clause {
        boolean test(Subject s);
    }

    private record MetricClause(String key, Op op, double value) implements Clause {
        @Override
        public boolean test(Subject s) {
            Double v = get(s.metric(key));
            return v != null && compare(op, v, value);
        }
    }

    private record NumberClause(String name, Op op, BigDecimal value) implements Clause {
        @Override
        public boolean test(Subject s) {
            Object v = get(s.attribute(name));
            if (v == null) {
                return false;
            }
            BigDecimal exact = decimal(v);
            if (exact != null) {
                return compare(op, exact.compareTo(value));
            }
            // NaN and infinities have no exact form; a string that is not a number matches nothing
            return v instanceof Number n && compare(op, n.doubleValue(), value.doubleValue());
        }
    }

    /**
     * @param pattern    a LIKE/ILIKE pattern's code points, decoded once rather than per subject
     * @param whenAbsent what the clause says of a subject that lacks the value
     */
    private record TextClause(Entity entity, String key, Op op, String value, Set<String> values, int[] pattern,
            boolean whenAbsent) implements Clause {
        @Override
        public boolean test(Subject s) {
            String v = switch (entity) {
                case PARAM -> get(s.param(key));
                case TAG -> get(s.tag(key));
                default -> {
                    Object a = get(s.attribute(key));
                    yield a == null ? null : a.toString();
                }
            };
            if (v == null) {
                return whenAbsent;
            }
            return switch (op) {
                case EQ -> v.equals(value);
                case NE -> !v.equals(value);
                case LIKE -> like(v, pattern, false);
                case ILIKE -> like(v, pattern, true);
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

    private static <T> T get(Optional<T> value) {
        return value == null ? null : value.orElse(null);
    }

    private static boolean compare(Op op, double a, double b) {
        // primitive comparisons, so a NaN metric is != everything and nothing else, as in Python
        return switch (op) {
            case EQ -> a == b;
            case NE -> a != b;
            case GT -> a > b;
            case GE -> a >= b;
            case LT -> a < b;
            case LE -> a <= b;
            default -> throw new IllegalStateException(op.symbol);
        };
    }

    private static boolean compare(Op op, int cmp) {
        return switch (op) {
            case EQ -> cmp == 0;
            case NE -> cmp != 0;
            case GT -> cmp > 0;
            case GE -> cmp >= 0;
            case LT -> cmp < 0;
            case LE -> cmp <= 0;
            default -> throw new IllegalStateException(op.symbol);
        };
    }

    /** A number's exact value, or null for NaN, infinities and strings that are not numbers. */
    private static BigDecimal decimal(Object v) {
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

    /*
     * SQL's LIKE: % any run, _ one character, everything else literal (MLflow's file store turns the pattern into a
     * regex without escaping it; its SQL stores, which most servers run, treat '.' literally, as here). Greedy
     * two-pointer matching keeps the worst case at text x pattern, where a regex could backtrack exponentially.
     */
    private static boolean like(String text, int[] pattern, boolean ignoreCase) {
        int[] t = text.codePoints().toArray();
        int ti = 0;
        int pi = 0;
        int star = -1;
        int resume = 0;
        while (ti < t.length) {
            if (pi < pattern.length && pattern[pi] == '%') {
                star = pi++;
                resume = ti;
            } else if (pi < pattern.length && (pattern[pi] == '_' || same(pattern[pi], t[ti], ignoreCase))) {
                pi++;
                ti++;
            } else if (star >= 0) {
                pi = star + 1;
                ti = ++resume;
            } else {
                return false;
            }
        }
        while (pi < pattern.length && pattern[pi] == '%') {
            pi++;
        }
        return pi == pattern.length;
    }

    private static boolean same(int a, int b, boolean ignoreCase) {
        return a == b || ignoreCase && (Character.toUpperCase(a) == Character.toUpperCase(b)
                || Character.toLowerCase(a) == Character.toLowerCase(b));
    }

    // ---- order_by ----

    private record SortKey(Entity entity, String key, boolean numeric, boolean ascending)
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
            Object v = switch (entity) {
                case METRIC -> get(s.metric(key));
                case PARAM -> get(s.param(key));
                case TAG -> get(s.tag(key));
                default -> get(s.attribute(key));
            };
            if (numeric && v instanceof String) {
                BigDecimal d = decimal(v);
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
            BigDecimal da = decimal(a);
            BigDecimal db = decimal(b);
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

    private static SortKey sortKey(Rules rules, String clause) {
        if (clause == null || clause.isBlank()) {
            throw new IllegalArgumentException("Invalid order_by clause '" + clause + "'. Could not be parsed; "
                    + ORDER_USAGE);
        }
        if (clause.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("order_by clause is too long (" + clause.length()
                    + " characters); the limit is " + MAX_LENGTH + " characters");
        }
        Reader in = new Reader(clause, "order_by clause");
        Name name = in.name();
        in.skipSpace();
        boolean ascending = true;
        if (!in.atEnd()) {
            int at = in.pos;
            String word = in.readWhile(SearchFilter::isWord);
            if (word.isEmpty()) {
                throw new IllegalArgumentException("Invalid order_by clause '" + clause + "'. Could not be parsed: "
                        + "unexpected '" + in.snippet(at) + "' at position " + at + "; " + ORDER_USAGE);
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
                        + "unexpected '" + in.snippet(in.pos) + "' at position " + in.pos + "; " + ORDER_USAGE);
            }
        }
        Entity entity = Entity.ATTRIBUTE;
        if (name.prefix != null) {
            entity = rules.orderPrefixes.get(name.prefix);
            if (entity == null) {
                throw new IllegalArgumentException("Invalid entity type '" + name.prefix + "' in order_by clause '"
                        + clause + "'. " + capitalise(rules.plural) + " can be ordered by " + rules.orderHint);
            }
        }
        if (!rules.orderEntities.contains(entity)) {
            throw new IllegalArgumentException("Invalid order_by entity '" + entity.label + "' in order_by clause '"
                    + clause + "'. " + capitalise(rules.plural) + " can be ordered by " + rules.orderHint);
        }
        if (entity != Entity.ATTRIBUTE) {
            return new SortKey(entity, name.key, false, ascending);
        }
        String canonical = rules.orderAttributes.get(name.key);
        if (canonical == null) {
            throw new IllegalArgumentException("Invalid order_by key '" + name.key + "' specified. Valid keys are "
                    + rules.orderAttributes.keySet());
        }
        return new SortKey(entity, canonical, rules.numberCanonical.contains(canonical), ascending);
    }

    // ---- parsing ----

    /** An identifier as written: {@code prefix.key}, or a bare key (an attribute) when prefix is null. */
    private record Name(String prefix, String key, String text, int at) {
    }

    /** What a name refers to once checked against a kind's rules. */
    private record Target(Entity entity, String key, boolean numeric, String label) {
    }

    private enum LiteralType { STRING, NUMBER, LIST, WORD }

    private record Literal(LiteralType type, String text, List<String> items, String raw) {
    }

    /** A cursor over one filter or order_by clause; one per parse, never shared. */
    private static final class Reader {
        private final String src;
        private final String what;
        private int pos;

        Reader(String src, String what) {
            this.src = src;
            this.what = what;
        }

        boolean atEnd() {
            return pos >= src.length();
        }

        char peek() {
            return src.charAt(pos);
        }

        void skipSpace() {
            while (!atEnd() && (Character.isWhitespace(peek()) || Character.isSpaceChar(peek()))) {
                pos++;
            }
        }

        String readWhile(IntPredicate accept) {
            int start = pos;
            while (!atEnd() && accept.test(peek())) {
                pos++;
            }
            return src.substring(start, pos);
        }

        String snippet(int from) {
            int end = Math.min(src.length(), from + 30);
            return src.substring(from, end) + (end < src.length() ? "..." : "");
        }

        IllegalArgumentException fail(String message) {
            return new IllegalArgumentException(message);
        }

        Clause clause(Rules rules) {
            Name name = name();
            Target target = resolve(rules, name);
            Op op = comparator(name);
            Set<Op> allowed = target.entity == Entity.METRIC || target.numeric ? NUMBER_OPS
                    : target.entity == Entity.ATTRIBUTE ? rules.textAttributeOps : TEXT_OPS;
            if (!allowed.contains(op)) {
                throw fail("Invalid comparator '" + op.symbol + "' for " + target.label + "; expected one of "
                        + allowed.stream().sorted().map(o -> o.symbol).collect(Collectors.joining(", ")));
            }
            Literal value = value(name, op);
            return build(rules, target, op, value);
        }

        Name name() {
            skipSpace();
            int start = pos;
            if (atEnd()) {
                throw fail("Expected an identifier such as metrics.rmse or params.model at position " + pos
                        + " but the " + what + " ended");
            }
            char c = peek();
            String first;
            if (c == '`' || c == '"') {
                first = quoted();
            } else if (isWord(c)) {
                first = readWhile(SearchFilter::isWord);
            } else {
                throw fail("Expected an identifier such as metrics.rmse or params.model at position " + pos
                        + ", found '" + snippet(pos) + "'" + (c == '(' ? "; parentheses are not supported" : ""));
            }
            if (atEnd() || peek() != '.') {
                return new Name(null, first, src.substring(start, pos), start);
            }
            pos++;
            if (atEnd() || !(isWord(peek()) || peek() == '`' || peek() == '"' || peek() == '\'')) {
                throw fail("Expected a key after '" + src.substring(start, pos) + "' at position " + pos
                        + (atEnd() ? " but the " + what + " ended" : ", found '" + snippet(pos) + "'")
                        + "; quote keys that contain special characters with backticks, e.g. metrics.`my-metric`");
            }
            char k = peek();
            String key = isWord(k) ? readWhile(ch -> isWord(ch) || ch == '.') : quoted();
            return new Name(first, key, src.substring(start, pos), start);
        }

        Op comparator(Name name) {
            int nameEnd = pos;
            skipSpace();
            String expected = "=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN";
            if (atEnd()) {
                throw fail("Expected a comparator (" + expected + ") after '" + name.text + "' but the " + what
                        + " ended");
            }
            int at = pos;
            char c = peek();
            if ("=!<>".indexOf(c) >= 0) {
                String symbol = readWhile(ch -> "=!<>".indexOf(ch) >= 0);
                return switch (symbol) {
                    case "=" -> Op.EQ;
                    case "!=" -> Op.NE;
                    case ">" -> Op.GT;
                    case ">=" -> Op.GE;
                    case "<" -> Op.LT;
                    case "<=" -> Op.LE;
                    default -> throw fail("Invalid comparator '" + symbol + "' at position " + at
                            + "; expected one of " + expected);
                };
            }
            if (Character.isLetter(c)) {
                String word = readWhile(SearchFilter::isWord).toUpperCase(Locale.ROOT);
                switch (word) {
                    case "LIKE":
                        return Op.LIKE;
                    case "ILIKE":
                        return Op.ILIKE;
                    case "IN":
                        return Op.IN;
                    case "NOT":
                        skipSpace();
                        String next = readWhile(SearchFilter::isWord).toUpperCase(Locale.ROOT);
                        if (next.equals("IN")) {
                            return Op.NOT_IN;
                        }
                        throw fail("Invalid comparator 'NOT " + next + "' at position " + at + "; expected one of "
                                + expected);
                    default:
                        throw fail("Invalid comparator '" + word + "' at position " + at + "; expected one of "
                                + expected);
                }
            }
            if (at == nameEnd) {
                throw fail("Unexpected '" + snippet(at) + "' after '" + name.text + "' at position " + at
                        + "; quote keys that contain special characters with backticks, e.g. metrics.`my-metric`");
            }
            throw fail("Expected a comparator (" + expected + ") after '" + name.text + "' at position " + at
                    + ", found '" + snippet(at) + "'");
        }

        Literal value(Name name, Op op) {
            skipSpace();
            if (atEnd()) {
                throw fail("Expected a value after '" + name.text + " " + op.symbol + "' but the " + what
                        + " ended");
            }
            int start = pos;
            char c = peek();
            if (c == '\'' || c == '"') {
                String text = quoted();
                return new Literal(LiteralType.STRING, text, null, src.substring(start, pos));
            }
            if (c == '(') {
                List<String> items = list();
                return new Literal(LiteralType.LIST, null, items, src.substring(start, pos));
            }
            if (c == '-' || c == '.' || Character.isDigit(c)) {
                Matcher m = NUMBER.matcher(src).region(pos, src.length());
                if (m.lookingAt() && (m.end() == src.length() || !isWord(src.charAt(m.end()))
                        && src.charAt(m.end()) != '.')) {
                    pos = m.end();
                    return new Literal(LiteralType.NUMBER, m.group(), null, m.group());
                }
                String token = readWhile(ch -> isWord(ch) || ch == '.' || ch == '-' || ch == '+');
                throw fail("Invalid number '" + token + "' at position " + start);
            }
            if (isWord(c) || c == '`') {
                String word = c == '`' ? quoted() : readWhile(SearchFilter::isWord);
                return new Literal(LiteralType.WORD, word, null, src.substring(start, pos));
            }
            throw fail("Expected a value after '" + name.text + " " + op.symbol + "' at position " + start
                    + ", found '" + snippet(start) + "'");
        }

        /* A parenthesised list of quoted strings; a trailing comma is allowed, as in the Python tuple MLflow reads. */
        List<String> list() {
            int start = pos;
            pos++;
            List<String> items = new ArrayList<>();
            skipSpace();
            if (!atEnd() && peek() == ')') {
                throw fail("While parsing a list in the query at position " + start
                        + ", expected a non-empty list of string values, but got empty list");
            }
            while (true) {
                skipSpace();
                if (atEnd()) {
                    throw fail("Unterminated list starting at position " + start + ": " + snippet(start)
                            + "; close it with ')'");
                }
                if (peek() != '\'' && peek() != '"') {
                    throw fail("While parsing a list in the query, expected a quoted string value at position "
                            + pos + ", found '" + snippet(pos) + "'; e.g. run_id IN ('a1', 'b2')");
                }
                items.add(quoted());
                skipSpace();
                if (atEnd()) {
                    throw fail("Unterminated list starting at position " + start + ": " + snippet(start)
                            + "; close it with ')'");
                }
                char c = peek();
                pos++;
                if (c == ')') {
                    return items;
                }
                if (c != ',') {
                    throw fail("While parsing a list in the query, expected ',' or ')' at position " + (pos - 1)
                            + ", found '" + snippet(pos - 1) + "'");
                }
                skipSpace();
                if (!atEnd() && peek() == ')') {
                    pos++;
                    return items;
                }
            }
        }

        /*
         * A string or key in ', " or `. A doubled quote stands for itself, and in ' and " strings a backslash escapes
         * the quote or a backslash: the same spans sqlparse (and so MLflow) reads as one literal. MLflow then keeps
         * the escapes in the value; here they are resolved, so 'it''s' means it's.
         */
        String quoted() {
            int start = pos;
            char q = src.charAt(pos++);
            StringBuilder out = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    String kindOfQuote = q == '`' ? "backtick-quoted identifier" : "string";
                    throw fail("Unterminated " + kindOfQuote + " starting at position " + start + ": "
                            + snippet(start) + "; close it with " + q);
                }
                char c = src.charAt(pos++);
                if (c == q) {
                    if (!atEnd() && peek() == q) {
                        out.append(q);
                        pos++;
                        continue;
                    }
                    return out.toString();
                }
                if (c == '\\' && q != '`' && !atEnd() && (peek() == q || peek() == '\\')) {
                    out.append(src.charAt(pos++));
                    continue;
                }
                out.append(c);
            }
        }

        Target resolve(Rules rules, Name name) {
            Entity entity = Entity.ATTRIBUTE;
            if (name.prefix != null) {
                entity = rules.prefixes.get(name.prefix);
                if (entity == null) {
                    throw fail("Invalid entity type '" + name.prefix + "' in '" + name.text + "' at position "
                            + name.at + ". Valid values are " + rules.prefixHint + " (e.g. "
                            + (rules.prefixes.containsKey("metrics") ? "metrics.rmse" : "tags.team") + ")");
                }
            }
            switch (entity) {
                case DATASET:
                    throw fail("Filtering on datasets ('" + name.text + "') is not supported by this server; "
                            + "filter on " + rules.prefixHint);
                case METRIC:
                case PARAM:
                case TAG:
                    return new Target(entity, name.key, false, entity.label + " '" + name.key + "'");
                default:
                    String number = rules.numberAttributes.get(name.key);
                    if (number != null) {
                        return new Target(entity, number, true, "numeric attribute '" + name.key + "'");
                    }
                    String text = rules.textAttributes.get(name.key);
                    if (text != null) {
                        return new Target(entity, text, false, "attribute '" + name.key + "'");
                    }
                    throw fail("Invalid attribute key '" + name.key + "' specified (at position " + name.at
                            + "). Valid keys for " + rules.plural + " are " + rules.filterKeys()
                            + (name.prefix == null && rules.prefixes.containsKey("metrics")
                                    ? "; metrics, params and tags need a prefix, e.g. metrics." + name.key : ""));
            }
        }

        Clause build(Rules rules, Target target, Op op, Literal value) {
            switch (target.entity) {
                case METRIC: {
                    if (value.type != LiteralType.NUMBER) {
                        throw fail("Expected numeric value type for metric. Found " + value.raw + " (for "
                                + target.label + ")");
                    }
                    return new MetricClause(target.key, op, Double.parseDouble(value.text));
                }
                case PARAM:
                case TAG: {
                    String text = text(target, value);
                    boolean whenAbsent = target.entity == Entity.TAG && rules.absentPromptTagIsFalse
                            && target.key.equals(PROMPT_TAG)
                            && (op == Op.EQ && text.equals("false") || op == Op.NE && text.equals("true"));
                    return new TextClause(target.entity, target.key, op, text, Set.of(), pattern(op, text),
                            whenAbsent);
                }
                default:
                    break;
            }
            if (target.numeric) {
                return new NumberClause(target.key, op, number(rules, target, value));
            }
            if (op.takesList()) {
                if (value.type != LiteralType.LIST) {
                    throw fail(op.symbol + " expects a parenthesised list of quoted strings, e.g. run_id "
                            + op.symbol + " ('a1', 'b2'); got " + value.raw);
                }
                if (!rules.listAttributes.contains(target.key)) {
                    throw fail(rules.listAttributes.isEmpty()
                            ? "Comparison with a list of values (IN, NOT IN) is not supported when searching "
                                    + rules.plural
                            : "Only the " + rules.listAttributes.stream().sorted().map(a -> "'" + a + "'")
                                    .collect(Collectors.joining(", "))
                                    + " attribute(s) support comparison with a list of quoted string values; "
                                    + target.label + " does not");
                }
                return new TextClause(Entity.ATTRIBUTE, target.key, op, null, Set.copyOf(value.items), null,
                        false);
            }
            if (value.type == LiteralType.LIST) {
                throw fail("A list of values needs IN or NOT IN, e.g. run_id IN ('a1', 'b2'); got " + target.label
                        + " " + op.symbol + " " + value.raw);
            }
            String text = text(target, value);
            return new TextClause(Entity.ATTRIBUTE, target.key, op, text, Set.of(), pattern(op, text), false);
        }

        private String text(Target target, Literal value) {
            if (value.type != LiteralType.STRING) {
                throw fail("Expected a quoted string value for " + target.label + " (e.g. 'my-value'). Got value "
                        + value.raw);
            }
            return value.text;
        }

        private BigDecimal number(Rules rules, Target target, Literal value) {
            boolean quoted = value.type == LiteralType.STRING && rules.quotedNumbers;
            if (value.type == LiteralType.NUMBER || quoted) {
                try {
                    return new BigDecimal(value.text.trim());
                } catch (NumberFormatException e) {
                    if (!quoted) {
                        throw fail("Number out of range for " + target.label + ": " + value.raw);
                    }
                }
            }
            throw fail("Expected numeric value type for " + target.label + ". Found " + value.raw);
        }
    }

    private static int[] pattern(Op op, String text) {
        return op == Op.LIKE || op == Op.ILIKE ? text.codePoints().toArray() : null;
    }

    private static boolean isWord(int c) {
        return Character.isLetterOrDigit(c) || c == '_' || Character.isSurrogate((char) c);
    }

    private static String capitalise(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... keysAndValues) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
