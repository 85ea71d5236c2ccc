package dev.fuseml.eventing.cesql;

/** CESQL's three types and its casting rules. */
final class Types {
    enum Type { BOOLEAN, INTEGER, STRING }

    private Types() {
    }

    static Type of(Object value) {
        if (value instanceof Boolean) {
            return Type.BOOLEAN;
        }
        if (value instanceof Integer) {
            return Type.INTEGER;
        }
        return Type.STRING;
    }

    static Object zero(Type type) {
        return switch (type) {
            case BOOLEAN -> false;
            case INTEGER -> 0;
            case STRING -> "";
        };
    }

    /**
     * Casts {@code value} to {@code target}. {@code explicit} is true for the casting functions (INT, BOOL, STRING),
     * which also take an integer to a boolean; implicit casts do not.
     */
    static Result cast(Object value, Type target, boolean explicit) {
        Type from = of(value);
        if (from == target) {
            return Result.ok(value);
        }
        return switch (target) {
            case STRING -> Result.ok(String.valueOf(value));
            case INTEGER -> {
                if (from == Type.BOOLEAN) {
                    yield Result.ok((Boolean) value ? 1 : 0);
                }
                try {
                    yield Result.ok(Integer.parseInt(((String) value).trim()));
                } catch (NumberFormatException e) {
                    yield Result.fail(0, CesqlError.CAST, "cannot cast '" + value + "' to an integer");
                }
            }
            case BOOLEAN -> {
                if (from == Type.INTEGER) {
                    yield explicit ? Result.ok((Integer) value != 0)
                            : Result.fail(false, CesqlError.CAST, "an integer is not a boolean; use BOOL()");
                }
                String s = ((String) value).trim();
                if (s.equalsIgnoreCase("true")) {
                    yield Result.ok(true);
                }
                if (s.equalsIgnoreCase("false")) {
                    yield Result.ok(false);
                }
                yield Result.fail(false, CesqlError.CAST, "cannot cast '" + value + "' to a boolean");
            }
        };
    }
}
