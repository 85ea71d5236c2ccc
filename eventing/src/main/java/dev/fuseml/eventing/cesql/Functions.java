package dev.fuseml.eventing.cesql;

import dev.fuseml.eventing.cesql.Types.Type;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** CESQL v1.0's built-in functions. Names are case-insensitive; a function is found by name and arity. */
final class Functions {
    /** A function: parameter types (null means any), whether the last one repeats, and the return type. */
    record Function(List<Type> parameters, boolean variadic, Type returns,
            java.util.function.Function<Object[], Result> body) {
        boolean accepts(int arity) {
            return variadic ? arity >= parameters.size() - 1 : arity == parameters.size();
        }

        Type parameter(int i) {
            return i < parameters.size() ? parameters.get(i) : parameters.get(parameters.size() - 1);
        }

        Result apply(Object[] args) {
            return body.apply(args);
        }
    }

    private static final Map<String, List<Function>> FUNCTIONS = Map.ofEntries(
            Map.entry("ABS", List.of(fixed(List.of(Type.INTEGER), Type.INTEGER, a -> {
                int v = (Integer) a[0];
                return v == Integer.MIN_VALUE ? Result.fail(Integer.MAX_VALUE, CesqlError.MATH,
                        "ABS(" + v + ") overflows") : Result.ok(Math.abs(v));
            }))),
            Map.entry("LENGTH", List.of(fixed(List.of(Type.STRING), Type.INTEGER,
                    a -> Result.ok(((String) a[0]).length())))),
            Map.entry("CONCAT", List.of(new Function(List.of(Type.STRING), true, Type.STRING,
                    a -> Result.ok(String.join("", strings(a, 0)))))),
            Map.entry("CONCAT_WS", List.of(new Function(List.of(Type.STRING, Type.STRING), true, Type.STRING,
                    a -> Result.ok(String.join((String) a[0], strings(a, 1)))))),
            Map.entry("LOWER", List.of(fixed(List.of(Type.STRING), Type.STRING,
                    a -> Result.ok(((String) a[0]).toLowerCase(Locale.ROOT))))),
            Map.entry("UPPER", List.of(fixed(List.of(Type.STRING), Type.STRING,
                    a -> Result.ok(((String) a[0]).toUpperCase(Locale.ROOT))))),
            Map.entry("TRIM", List.of(fixed(List.of(Type.STRING), Type.STRING, a -> Result.ok(((String) a[0]).trim())))),
            Map.entry("LEFT", List.of(fixed(List.of(Type.STRING, Type.INTEGER), Type.STRING, a -> {
                String s = (String) a[0];
                int n = (Integer) a[1];
                return n < 0 ? Result.fail(s, CesqlError.FUNCTION_EVALUATION, "LEFT length " + n + " is negative")
                        : Result.ok(s.substring(0, Math.min(n, s.length())));
            }))),
            Map.entry("RIGHT", List.of(fixed(List.of(Type.STRING, Type.INTEGER), Type.STRING, a -> {
                String s = (String) a[0];
                int n = (Integer) a[1];
                return n < 0 ? Result.fail(s, CesqlError.FUNCTION_EVALUATION, "RIGHT length " + n + " is negative")
                        : Result.ok(s.substring(s.length() - Math.min(n, s.length())));
            }))),
            Map.entry("SUBSTRING", List.of(
                    fixed(List.of(Type.STRING, Type.INTEGER), Type.STRING,
                            a -> substring((String) a[0], (Integer) a[1], Integer.MAX_VALUE)),
                    fixed(List.of(Type.STRING, Type.INTEGER, Type.INTEGER), Type.STRING,
                            a -> substring((String) a[0], (Integer) a[1], (Integer) a[2])))),
            Map.entry("INT", List.of(cast(Type.INTEGER))),
            Map.entry("BOOL", List.of(cast(Type.BOOLEAN))),
            Map.entry("STRING", List.of(cast(Type.STRING))),
            Map.entry("IS_INT", List.of(anyToBoolean(v -> !Types.cast(v, Type.INTEGER, false).failed()))),
            Map.entry("IS_BOOL", List.of(anyToBoolean(v -> !Types.cast(v, Type.BOOLEAN, false).failed()))));

    private Functions() {
    }

    static Function find(String name, int arity) {
        for (Function f : FUNCTIONS.getOrDefault(name.toUpperCase(Locale.ROOT), List.of())) {
            if (f.accepts(arity)) {
                return f;
            }
        }
        return null;
    }

    private static Function fixed(List<Type> parameters, Type returns,
            java.util.function.Function<Object[], Result> body) {
        return new Function(parameters, false, returns, body);
    }

    private static Function cast(Type target) {
        return new Function(java.util.Arrays.asList((Type) null), false, target,
                a -> Types.cast(a[0], target, true));
    }

    private static Function anyToBoolean(java.util.function.Predicate<Object> test) {
        return new Function(java.util.Arrays.asList((Type) null), false, Type.BOOLEAN,
                a -> Result.ok(test.test(a[0])));
    }

    private static List<String> strings(Object[] args, int from) {
        return java.util.Arrays.stream(args, from, args.length).map(String.class::cast).toList();
    }

    /** MySQL's SUBSTRING: 1-based, a negative position counts from the end, position 0 gives ''. */
    private static Result substring(String s, int position, int length) {
        if (Math.abs((long) position) > s.length()) {
            return Result.fail("", CesqlError.FUNCTION_EVALUATION, "SUBSTRING position " + position
                    + " is outside a string of length " + s.length());
        }
        if (length < 0) {
            return Result.fail("", CesqlError.FUNCTION_EVALUATION, "SUBSTRING length " + length + " is negative");
        }
        if (position == 0) {
            return Result.ok("");
        }
        int start = position > 0 ? position - 1 : s.length() + position;
        int end = (int) Math.min((long) start + length, s.length());
        return Result.ok(s.substring(start, end));
    }
}
