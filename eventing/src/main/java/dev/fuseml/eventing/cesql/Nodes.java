package dev.fuseml.eventing.cesql;

import dev.fuseml.eventing.cesql.Types.Type;

import java.util.List;

/**
 * The expression tree. Error rules of CESQL v1.0, as the TCK pins them down: an operand that fails makes its
 * operator fail at once with its own zero value; a cast that fails inside an operator goes on with the zero value of
 * the cast and keeps the error.
 */
final class Nodes {
    private Nodes() {
    }

    record Literal(Object value) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            return Result.ok(value);
        }
    }

    record Attribute(String name) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Object value = attributes.get(name);
            return value == null ? Result.fail(false, CesqlError.MISSING_ATTRIBUTE, "the event has no attribute '"
                    + name + "'") : Result.ok(Cesql.normalise(value));
        }
    }

    record Exists(String name) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            return Result.ok(attributes.get(name) != null);
        }
    }

    record Not(Expression operand) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Result r = operand.evaluate(attributes);
            if (r.failed()) {
                return Result.fail(false, r.error(), r.detail());
            }
            Result b = Types.cast(r.value(), Type.BOOLEAN, false);
            return b.withValue(!(Boolean) b.value());
        }
    }

    record Negate(Expression operand) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Result r = operand.evaluate(attributes);
            if (r.failed()) {
                return Result.fail(0, r.error(), r.detail());
            }
            Result i = Types.cast(r.value(), Type.INTEGER, false);
            int v = (Integer) i.value();
            if (v == Integer.MIN_VALUE) {
                return Result.fail(0, CesqlError.MATH, "integer overflow negating " + v);
            }
            return i.withValue(-v);
        }
    }

    enum ArithmeticOp { ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO }

    record Arithmetic(ArithmeticOp op, Expression left, Expression right) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Result l = left.evaluate(attributes);
            if (l.failed()) {
                return Result.fail(0, l.error(), l.detail());
            }
            Result r = right.evaluate(attributes);
            if (r.failed()) {
                return Result.fail(0, r.error(), r.detail());
            }
            Result li = Types.cast(l.value(), Type.INTEGER, false);
            Result ri = Types.cast(r.value(), Type.INTEGER, false);
            int a = (Integer) li.value();
            int b = (Integer) ri.value();
            Result cast = li.failed() ? li : ri;
            try {
                int value = switch (op) {
                    case ADD -> Math.addExact(a, b);
                    case SUBTRACT -> Math.subtractExact(a, b);
                    case MULTIPLY -> Math.multiplyExact(a, b);
                    case DIVIDE -> {
                        if (b == 0) {
                            throw new ArithmeticException("division by zero");
                        }
                        yield a / b;
                    }
                    case MODULO -> {
                        if (b == 0) {
                            throw new ArithmeticException("modulo by zero");
                        }
                        yield a % b;
                    }
                };
                return cast.withValue(value);
            } catch (ArithmeticException e) {
                return Result.fail(0, CesqlError.MATH, e.getMessage());
            }
        }
    }

    enum CompareOp { EQUAL, NOT_EQUAL, LESS, LESS_OR_EQUAL, GREATER, GREATER_OR_EQUAL }

    record Compare(CompareOp op, Expression left, Expression right) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Result l = left.evaluate(attributes);
            if (l.failed()) {
                return Result.fail(false, l.error(), l.detail());
            }
            Result r = right.evaluate(attributes);
            if (r.failed()) {
                return Result.fail(false, r.error(), r.detail());
            }
            if (op == CompareOp.EQUAL || op == CompareOp.NOT_EQUAL) {
                Result eq = equal(l.value(), r.value());
                return op == CompareOp.EQUAL ? eq : eq.withValue(!(Boolean) eq.value());
            }
            Result li = Types.cast(l.value(), Type.INTEGER, false);
            Result ri = Types.cast(r.value(), Type.INTEGER, false);
            int c = Integer.compare((Integer) li.value(), (Integer) ri.value());
            boolean value = switch (op) {
                case LESS -> c < 0;
                case LESS_OR_EQUAL -> c <= 0;
                case GREATER -> c > 0;
                default -> c >= 0;
            };
            return (li.failed() ? li : ri).withValue(value);
        }

        /** Values of different types compare after casting the left one to the right one's type (the TCK's rule). */
        static Result equal(Object left, Object right) {
            Result l = Types.cast(left, Types.of(right), false);
            return l.withValue(l.value().equals(right));
        }
    }

    enum LogicOp { AND, OR, XOR }

    record Logic(LogicOp op, Expression left, Expression right) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Result l = left.evaluate(attributes);
            if (l.failed()) {
                return Result.fail(false, l.error(), l.detail());
            }
            Result lb = Types.cast(l.value(), Type.BOOLEAN, false);
            boolean a = (Boolean) lb.value();
            if (op == LogicOp.AND && !a) {
                return lb.withValue(false);
            }
            if (op == LogicOp.OR && a) {
                return lb.withValue(true);
            }
            Result r = right.evaluate(attributes);
            if (r.failed()) {
                return Result.fail(false, r.error(), r.detail());
            }
            Result rb = Types.cast(r.value(), Type.BOOLEAN, false);
            boolean b = (Boolean) rb.value();
            boolean value = op == LogicOp.XOR ? a ^ b : b;
            return (lb.failed() ? lb : rb).withValue(value);
        }
    }

    record Like(Expression value, String pattern, boolean negated) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Result v = value.evaluate(attributes);
            if (v.failed()) {
                return Result.fail(false, v.error(), v.detail());
            }
            Result s = Types.cast(v.value(), Type.STRING, false);
            return s.withValue(dev.fuseml.eventing.cesql.Like.matches((String) s.value(), pattern) != negated);
        }
    }

    record In(Expression value, List<Expression> set, boolean negated) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Result v = value.evaluate(attributes);
            if (v.failed()) {
                return Result.fail(false, v.error(), v.detail());
            }
            for (Expression element : set) {
                Result e = element.evaluate(attributes);
                if (e.failed()) {
                    return Result.fail(false, e.error(), e.detail());
                }
                Result eq = Compare.equal(e.value(), v.value());
                if (!eq.failed() && (Boolean) eq.value()) {
                    return Result.ok(!negated);
                }
            }
            return Result.ok(negated);
        }
    }

    record Call(String name, List<Expression> arguments) implements Expression {
        @Override
        public Result evaluate(Attributes attributes) {
            Functions.Function function = Functions.find(name, arguments.size());
            if (function == null) {
                return Result.fail(false, CesqlError.MISSING_FUNCTION, "no function " + name + " taking "
                        + arguments.size() + " argument(s)");
            }
            Object[] values = new Object[arguments.size()];
            Result castError = null;
            for (int i = 0; i < values.length; i++) {
                Result a = arguments.get(i).evaluate(attributes);
                if (a.failed()) {
                    return Result.fail(Types.zero(function.returns()), a.error(), a.detail());
                }
                Type wanted = function.parameter(i);
                Result cast = wanted == null ? a : Types.cast(a.value(), wanted, false);
                if (cast.failed() && castError == null) {
                    castError = cast;
                }
                values[i] = cast.value();
            }
            Result result = function.apply(values);
            return castError != null && !result.failed() ? castError.withValue(result.value()) : result;
        }
    }
}
