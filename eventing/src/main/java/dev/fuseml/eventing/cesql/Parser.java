package dev.fuseml.eventing.cesql;

import dev.fuseml.eventing.cesql.Nodes.ArithmeticOp;
import dev.fuseml.eventing.cesql.Nodes.CompareOp;
import dev.fuseml.eventing.cesql.Nodes.LogicOp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Recursive descent over CESQL v1.0's grammar. Precedence, tightest first: literals, attributes, function calls,
 * parentheses and EXISTS; unary NOT and -; {@code * / %}; {@code + -}; comparisons, LIKE and IN; then AND, OR and
 * XOR, which share one level and group to the right, as the specification's grammar says.
 */
final class Parser {
    private enum Kind { INTEGER, STRING, IDENTIFIER, KEYWORD, SYMBOL, END }

    private record Token(Kind kind, String text, int position) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }
    }

    private static final Set<String> KEYWORDS = Set.of("AND", "OR", "XOR", "NOT", "LIKE", "IN", "EXISTS", "TRUE",
            "FALSE");

    private final String source;
    private final List<Token> tokens;
    private int next;

    Parser(String source) {
        this.source = source;
        this.tokens = lex(source);
    }

    Expression parse() {
        Expression e = logic();
        if (peek().kind() != Kind.END) {
            throw error("unexpected '" + peek().text() + "'");
        }
        return e;
    }

    private Expression logic() {
        Expression left = comparison();
        Token t = peek();
        if (t.kind() == Kind.KEYWORD && (t.text().equals("AND") || t.text().equals("OR") || t.text().equals("XOR"))) {
            next++;
            return new Nodes.Logic(LogicOp.valueOf(t.text()), left, logic());
        }
        return left;
    }

    private Expression comparison() {
        Expression left = additive();
        while (true) {
            Token t = peek();
            CompareOp op = t.kind() == Kind.SYMBOL ? switch (t.text()) {
                case "=" -> CompareOp.EQUAL;
                case "!=", "<>" -> CompareOp.NOT_EQUAL;
                case "<" -> CompareOp.LESS;
                case "<=" -> CompareOp.LESS_OR_EQUAL;
                case ">" -> CompareOp.GREATER;
                case ">=" -> CompareOp.GREATER_OR_EQUAL;
                default -> null;
            } : null;
            if (op != null) {
                next++;
                left = new Nodes.Compare(op, left, additive());
                continue;
            }
            boolean negated = false;
            if (t.is(Kind.KEYWORD, "NOT") && (tokens.get(next + 1).is(Kind.KEYWORD, "LIKE")
                    || tokens.get(next + 1).is(Kind.KEYWORD, "IN"))) {
                negated = true;
                next++;
                t = peek();
            }
            if (t.is(Kind.KEYWORD, "LIKE")) {
                next++;
                Token pattern = take();
                if (pattern.kind() != Kind.STRING) {
                    throw error("LIKE takes a string literal pattern, got '" + pattern.text() + "'", pattern);
                }
                left = new Nodes.Like(left, pattern.text(), negated);
            } else if (t.is(Kind.KEYWORD, "IN")) {
                next++;
                expect("(");
                List<Expression> set = new ArrayList<>();
                set.add(logic());
                while (peek().is(Kind.SYMBOL, ",")) {
                    next++;
                    set.add(logic());
                }
                expect(")");
                left = new Nodes.In(left, List.copyOf(set), negated);
            } else {
                return left;
            }
        }
    }

    private Expression additive() {
        Expression left = multiplicative();
        while (peek().is(Kind.SYMBOL, "+") || peek().is(Kind.SYMBOL, "-")) {
            ArithmeticOp op = take().text().equals("+") ? ArithmeticOp.ADD : ArithmeticOp.SUBTRACT;
            left = new Nodes.Arithmetic(op, left, multiplicative());
        }
        return left;
    }

    private Expression multiplicative() {
        Expression left = unary();
        while (peek().is(Kind.SYMBOL, "*") || peek().is(Kind.SYMBOL, "/") || peek().is(Kind.SYMBOL, "%")) {
            ArithmeticOp op = switch (take().text()) {
                case "*" -> ArithmeticOp.MULTIPLY;
                case "/" -> ArithmeticOp.DIVIDE;
                default -> ArithmeticOp.MODULO;
            };
            left = new Nodes.Arithmetic(op, left, unary());
        }
        return left;
    }

    private Expression unary() {
        if (peek().is(Kind.KEYWORD, "NOT")) {
            next++;
            return new Nodes.Not(unary());
        }
        if (peek().is(Kind.SYMBOL, "-")) {
            next++;
            if (peek().kind() == Kind.INTEGER) {
                return integer(take(), true);
            }
            return new Nodes.Negate(unary());
        }
        return primary();
    }

    private Expression primary() {
        Token t = take();
        switch (t.kind()) {
            case INTEGER:
                return integer(t, false);
            case STRING:
                return new Nodes.Literal(t.text());
            case KEYWORD:
                if (t.text().equals("TRUE") || t.text().equals("FALSE")) {
                    return new Nodes.Literal(t.text().equals("TRUE"));
                }
                if (t.text().equals("EXISTS")) {
                    Token name = take();
                    if (name.kind() != Kind.IDENTIFIER) {
                        throw error("EXISTS takes an attribute name", name);
                    }
                    return new Nodes.Exists(name.text().toLowerCase(Locale.ROOT));
                }
                throw error("unexpected keyword " + t.text(), t);
            case IDENTIFIER:
                if (peek().is(Kind.SYMBOL, "(")) {
                    next++;
                    List<Expression> args = new ArrayList<>();
                    if (!peek().is(Kind.SYMBOL, ")")) {
                        args.add(logic());
                        while (peek().is(Kind.SYMBOL, ",")) {
                            next++;
                            args.add(logic());
                        }
                    }
                    expect(")");
                    return new Nodes.Call(t.text(), List.copyOf(args));
                }
                return new Nodes.Attribute(t.text().toLowerCase(Locale.ROOT));
            case SYMBOL:
                if (t.text().equals("(")) {
                    Expression inner = logic();
                    expect(")");
                    return inner;
                }
                throw error("unexpected '" + t.text() + "'", t);
            default:
                throw error("the expression ends too early", t);
        }
    }

    private Expression integer(Token t, boolean negative) {
        long value = Long.parseLong(t.text()) * (negative ? -1 : 1);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw error("integer " + value + " is outside the 32-bit range", t);
        }
        return new Nodes.Literal((int) value);
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind() != Kind.END) {
            next++;
        }
        return t;
    }

    private void expect(String symbol) {
        Token t = take();
        if (!t.is(Kind.SYMBOL, symbol)) {
            throw error("expected '" + symbol + "'" + (t.kind() == Kind.END ? " before the end" : ", got '"
                    + t.text() + "'"), t);
        }
    }

    private CesqlParseException error(String message) {
        return error(message, peek());
    }

    private CesqlParseException error(String message, Token at) {
        return new CesqlParseException("CESQL: " + message + " at position " + (at.position() + 1) + " of: "
                + source);
    }

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isDigit(c)) {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                out.add(new Token(Kind.INTEGER, s.substring(start, i), start));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                String word = s.substring(start, i);
                String upper = word.toUpperCase(Locale.ROOT);
                out.add(KEYWORDS.contains(upper) ? new Token(Kind.KEYWORD, upper, start)
                        : new Token(Kind.IDENTIFIER, word, start));
            } else if (c == '\'' || c == '"') {
                int start = i++;
                StringBuilder text = new StringBuilder();
                boolean closed = false;
                while (i < s.length()) {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < s.length()
                            && (s.charAt(i + 1) == c || s.charAt(i + 1) == '\\')) {
                        text.append(s.charAt(i + 1));
                        i += 2;
                    } else if (d == c) {
                        closed = true;
                        i++;
                        break;
                    } else {
                        text.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new CesqlParseException("CESQL: unterminated string starting at position " + (start + 1)
                            + " of: " + s);
                }
                out.add(new Token(Kind.STRING, text.toString(), start));
            } else {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                if (two.equals("!=") || two.equals("<>") || two.equals("<=") || two.equals(">=")) {
                    out.add(new Token(Kind.SYMBOL, two, i));
                    i += 2;
                } else if ("()+-*/%=<>,".indexOf(c) >= 0) {
                    out.add(new Token(Kind.SYMBOL, String.valueOf(c), i));
                    i++;
                } else {
                    throw new CesqlParseException("CESQL: unexpected character '" + c + "' at position " + (i + 1)
                            + " of: " + s);
                }
            }
        }
        out.add(new Token(Kind.END, "end", s.length()));
        return out;
    }
}
