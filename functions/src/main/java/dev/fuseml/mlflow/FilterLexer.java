package dev.fuseml.mlflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cursor over one filter or order_by clause that reads its tokens: identifiers, comparators and values. It knows
 * nothing of what a kind allows; its refusals are IllegalArgumentExceptions naming the position. One per parse,
 * never shared.
 */
final class FilterLexer {
    /* sqlparse's integer and float literals, which are the only numbers MLflow's grammar accepts. */
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?");

    private static final String COMPARATORS = "=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN";

    /** An identifier as written: {@code prefix.key}, or a bare key (an attribute) when prefix is null. */
    record Name(String prefix, String key, String text, int at) {
    }

    enum LiteralType { STRING, NUMBER, LIST, WORD }

    /**
     * @param text  a string's unescaped text, a number or a bare word; null for lists
     * @param items a list's strings; null for the other types
     * @param raw   the value as written, for messages
     */
    record Literal(LiteralType type, String text, List<String> items, String raw) {
    }

    private final String src;
    /** "filter" or "order_by clause", for messages. */
    private final String what;
    private int pos;

    FilterLexer(String src, String what) {
        this.src = src;
        this.what = what;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= src.length();
    }

    void skipSpace() {
        while (!atEnd() && (Character.isWhitespace(peek()) || Character.isSpaceChar(peek()))) {
            pos++;
        }
    }

    /** The letters, digits and underscores at the cursor; empty when there are none. */
    String word() {
        return readWhile(FilterLexer::isWord);
    }

    /** Up to 30 characters from {@code from}, for messages. */
    String snippet(int from) {
        int end = Math.min(src.length(), from + 30);
        return src.substring(from, end) + (end < src.length() ? "..." : "");
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
            first = word();
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

    /** The comparator after {@code name}, whichever it is; whether the name takes it is the parser's question. */
    FilterOp comparator(Name name) {
        int nameEnd = pos;
        skipSpace();
        if (atEnd()) {
            throw fail("Expected a comparator (" + COMPARATORS + ") after '" + name.text() + "' but the " + what
                    + " ended");
        }
        int at = pos;
        char c = peek();
        if ("=!<>".indexOf(c) >= 0) {
            String symbol = readWhile(ch -> "=!<>".indexOf(ch) >= 0);
            return switch (symbol) {
                case "=" -> FilterOp.EQ;
                case "!=" -> FilterOp.NE;
                case ">" -> FilterOp.GT;
                case ">=" -> FilterOp.GE;
                case "<" -> FilterOp.LT;
                case "<=" -> FilterOp.LE;
                default -> throw fail("Invalid comparator '" + symbol + "' at position " + at
                        + "; expected one of " + COMPARATORS);
            };
        }
        if (Character.isLetter(c)) {
            String word = word().toUpperCase(Locale.ROOT);
            switch (word) {
                case "LIKE":
                    return FilterOp.LIKE;
                case "ILIKE":
                    return FilterOp.ILIKE;
                case "IN":
                    return FilterOp.IN;
                case "NOT":
                    skipSpace();
                    String next = word().toUpperCase(Locale.ROOT);
                    if (next.equals("IN")) {
                        return FilterOp.NOT_IN;
                    }
                    throw fail("Invalid comparator 'NOT " + next + "' at position " + at + "; expected one of "
                            + COMPARATORS);
                default:
                    throw fail("Invalid comparator '" + word + "' at position " + at + "; expected one of "
                            + COMPARATORS);
            }
        }
        if (at == nameEnd) {
            throw fail("Unexpected '" + snippet(at) + "' after '" + name.text() + "' at position " + at
                    + "; quote keys that contain special characters with backticks, e.g. metrics.`my-metric`");
        }
        throw fail("Expected a comparator (" + COMPARATORS + ") after '" + name.text() + "' at position " + at
                + ", found '" + snippet(at) + "'");
    }

    /** The value after {@code name op}, of whichever type is written; whether it fits is the parser's question. */
    Literal value(Name name, FilterOp op) {
        skipSpace();
        if (atEnd()) {
            throw fail("Expected a value after '" + name.text() + " " + op.symbol + "' but the " + what
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
            String word = c == '`' ? quoted() : word();
            return new Literal(LiteralType.WORD, word, null, src.substring(start, pos));
        }
        throw fail("Expected a value after '" + name.text() + " " + op.symbol + "' at position " + start
                + ", found '" + snippet(start) + "'");
    }

    /* A parenthesised list of quoted strings; a trailing comma is allowed, as in the Python tuple MLflow reads. */
    private List<String> list() {
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
    private String quoted() {
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

    private char peek() {
        return src.charAt(pos);
    }

    private String readWhile(IntPredicate accept) {
        int start = pos;
        while (!atEnd() && accept.test(peek())) {
            pos++;
        }
        return src.substring(start, pos);
    }

    private static IllegalArgumentException fail(String message) {
        return new IllegalArgumentException(message);
    }

    /*
     * The cursor reads chars, whose surrogate halves Character cannot classify; they count as word characters so a
     * character outside the BMP does not end a word.
     */
    private static boolean isWord(int c) {
        return Character.isLetterOrDigit(c) || c == '_' || Character.isSurrogate((char) c);
    }
}
