package dev.fuseml.mlflow;

import dev.fuseml.mlflow.FilterClause.MetricClause;
import dev.fuseml.mlflow.FilterClause.NumberClause;
import dev.fuseml.mlflow.FilterClause.TextClause;
import dev.fuseml.mlflow.FilterLexer.Literal;
import dev.fuseml.mlflow.FilterLexer.LiteralType;
import dev.fuseml.mlflow.FilterLexer.Name;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses a filter string into clauses joined with AND, checking each clause's identifier, comparator and value
 * against what its kind allows ({@link SearchRules}); refusals are IllegalArgumentExceptions that name the problem
 * and the expected form. One per parse, never shared.
 */
final class FilterParser {
    /*
     * MLflow's UI lists models with tags.`mlflow.prompt.is_prompt` != 'true', and models that are not prompts never
     * carry the tag, so MLflow reads its absence as 'false' for registered models and versions.
     */
    private static final String PROMPT_TAG = "mlflow.prompt.is_prompt";

    private static final String USAGE = "e.g. metrics.rmse < 1 AND params.model = 'cnn'";

    /** What a name refers to once checked against a kind's rules. */
    private record Target(SearchEntity entity, String key, boolean numeric, String label) {
    }

    private final SearchRules rules;
    private final FilterLexer in;

    FilterParser(SearchRules rules, String filter) {
        this.rules = rules;
        this.in = new FilterLexer(filter, "filter");
    }

    /** The filter's clauses; call once, on a filter that is not blank. */
    List<FilterClause> clauses() {
        List<FilterClause> clauses = new ArrayList<>();
        while (true) {
            if (clauses.size() == SearchFilter.MAX_CLAUSES) {
                throw new IllegalArgumentException("Filter string has more than " + SearchFilter.MAX_CLAUSES
                        + " clauses; the limit is " + SearchFilter.MAX_CLAUSES + " clauses joined with AND");
            }
            clauses.add(clause());
            in.skipSpace();
            if (in.atEnd()) {
                return List.copyOf(clauses);
            }
            int at = in.position();
            String word = in.word().toUpperCase(Locale.ROOT);
            if (word.equals("AND")) {
                in.skipSpace();
                if (in.atEnd()) {
                    throw new IllegalArgumentException("The filter ends with AND at position " + at
                            + "; expected another clause after AND, " + USAGE);
                }
            } else if (word.equals("OR")) {
                throw new IllegalArgumentException("Invalid clause(s) in filter string: 'OR' at position " + at
                        + ". Clauses can only be joined with AND, " + USAGE);
            } else {
                throw new IllegalArgumentException("Unexpected '" + in.snippet(at) + "' at position " + at
                        + "; clauses must be joined with AND, " + USAGE);
            }
        }
    }

    private FilterClause clause() {
        Name name = in.name();
        Target target = resolve(name);
        FilterOp op = in.comparator(name);
        Set<FilterOp> allowed = rules.comparators(target.entity, target.numeric);
        if (!allowed.contains(op)) {
            throw new IllegalArgumentException("Invalid comparator '" + op.symbol + "' for " + target.label
                    + "; expected one of "
                    + allowed.stream().sorted().map(o -> o.symbol).collect(Collectors.joining(", ")));
        }
        Literal value = in.value(name, op);
        return build(target, op, value);
    }

    private Target resolve(Name name) {
        SearchEntity entity = SearchEntity.ATTRIBUTE;
        if (name.prefix() != null) {
            entity = rules.prefixes().get(name.prefix());
            if (entity == null) {
                throw new IllegalArgumentException("Invalid entity type '" + name.prefix() + "' in '" + name.text()
                        + "' at position " + name.at() + ". Valid values are " + rules.prefixHint() + " (e.g. "
                        + (rules.prefixes().containsKey("metrics") ? "metrics.rmse" : "tags.team") + ")");
            }
        }
        switch (entity) {
            case DATASET:
                throw new IllegalArgumentException("Filtering on datasets ('" + name.text()
                        + "') is not supported by this server; filter on " + rules.prefixHint());
            case METRIC:
            case PARAM:
            case TAG:
                return new Target(entity, name.key(), false, entity.label + " '" + name.key() + "'");
            default:
                String number = rules.numberAttributes().get(name.key());
                if (number != null) {
                    return new Target(entity, number, true, "numeric attribute '" + name.key() + "'");
                }
                String text = rules.textAttributes().get(name.key());
                if (text != null) {
                    return new Target(entity, text, false, "attribute '" + name.key() + "'");
                }
                throw new IllegalArgumentException("Invalid attribute key '" + name.key() + "' specified (at position "
                        + name.at() + "). Valid keys for " + rules.plural() + " are " + rules.filterKeys()
                        + (name.prefix() == null && rules.prefixes().containsKey("metrics")
                                ? "; metrics, params and tags need a prefix, e.g. metrics." + name.key() : ""));
        }
    }

    private FilterClause build(Target target, FilterOp op, Literal value) {
        switch (target.entity) {
            case METRIC: {
                if (value.type() != LiteralType.NUMBER) {
                    throw new IllegalArgumentException("Expected numeric value type for metric. Found "
                            + value.raw() + " (for " + target.label + ")");
                }
                return new MetricClause(target.key, op, Double.parseDouble(value.text()));
            }
            case PARAM:
            case TAG: {
                String text = text(target, value);
                boolean whenAbsent = target.entity == SearchEntity.TAG && rules.absentPromptTagIsFalse()
                        && target.key.equals(PROMPT_TAG)
                        && (op == FilterOp.EQ && text.equals("false") || op == FilterOp.NE && text.equals("true"));
                return new TextClause(target.entity, target.key, op, text, Set.of(), like(op, text), whenAbsent);
            }
            default:
                break;
        }
        if (target.numeric) {
            return new NumberClause(target.key, op, number(target, value));
        }
        if (op.takesList()) {
            if (value.type() != LiteralType.LIST) {
                throw new IllegalArgumentException(op.symbol + " expects a parenthesised list of quoted strings, "
                        + "e.g. run_id " + op.symbol + " ('a1', 'b2'); got " + value.raw());
            }
            Set<String> listAttributes = rules.listAttributes();
            if (!listAttributes.contains(target.key)) {
                throw new IllegalArgumentException(listAttributes.isEmpty()
                        ? "Comparison with a list of values (IN, NOT IN) is not supported when searching "
                                + rules.plural()
                        : "Only the " + listAttributes.stream().sorted().map(a -> "'" + a + "'")
                                .collect(Collectors.joining(", "))
                                + " attribute(s) support comparison with a list of quoted string values; "
                                + target.label + " does not");
            }
            return new TextClause(SearchEntity.ATTRIBUTE, target.key, op, null, Set.copyOf(value.items()), null,
                    false);
        }
        if (value.type() == LiteralType.LIST) {
            throw new IllegalArgumentException("A list of values needs IN or NOT IN, e.g. run_id IN ('a1', 'b2'); got "
                    + target.label + " " + op.symbol + " " + value.raw());
        }
        String text = text(target, value);
        return new TextClause(SearchEntity.ATTRIBUTE, target.key, op, text, Set.of(), like(op, text), false);
    }

    private static String text(Target target, Literal value) {
        if (value.type() != LiteralType.STRING) {
            throw new IllegalArgumentException("Expected a quoted string value for " + target.label
                    + " (e.g. 'my-value'). Got value " + value.raw());
        }
        return value.text();
    }

    private BigDecimal number(Target target, Literal value) {
        boolean quoted = value.type() == LiteralType.STRING && rules.quotedNumbers();
        if (value.type() == LiteralType.NUMBER || quoted) {
            try {
                return new BigDecimal(value.text().trim());
            } catch (NumberFormatException e) {
                if (!quoted) {
                    throw new IllegalArgumentException("Number out of range for " + target.label + ": "
                            + value.raw());
                }
            }
        }
        throw new IllegalArgumentException("Expected numeric value type for " + target.label + ". Found "
                + value.raw());
    }

    private static LikePattern like(FilterOp op, String text) {
        return op == FilterOp.LIKE || op == FilterOp.ILIKE ? new LikePattern(text, op == FilterOp.ILIKE) : null;
    }
}
