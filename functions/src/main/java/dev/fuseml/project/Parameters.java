package dev.fuseml.project;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fills an entry point's command template with parameter values, as {@code mlflow run} does. */
public final class Parameters {
    static final List<String> TYPES = List.of("string", "float", "int", "path", "uri");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** What a parameter the entry point does not declare may be called: it becomes {@code --NAME} on a command line. */
    static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");

    private Parameters() {
    }

    /** Declared parameters with their defaults, overridden by {@code given}; every value checked against its type. */
    public static Map<String, String> resolve(MLProject.EntryPoint entryPoint, Map<String, String> given)
            throws InvalidProjectException {
        Map<String, String> values = new LinkedHashMap<>();
        for (MLProject.Parameter p : entryPoint.parameters().values()) {
            String value = given.containsKey(p.name()) ? given.get(p.name()) : p.defaultValue();
            if (value == null) {
                throw new InvalidProjectException("parameter '" + p.name() + "' of entry point '" + entryPoint.name()
                        + "' has no default: pass it with -P " + p.name() + "=VALUE");
            }
            check(p, value);
            values.put(p.name(), value);
        }
        for (Map.Entry<String, String> extra : given.entrySet()) {
            if (!entryPoint.parameters().containsKey(extra.getKey()) && !NAME.matcher(extra.getKey()).matches()) {
                throw new InvalidProjectException("parameter name '" + extra.getKey() + "' is not allowed: a "
                        + "parameter the entry point does not declare must be a plain name (letters, digits, '_', "
                        + "'.' and '-', starting with a letter or '_', at most 64 characters)");
            }
            values.putIfAbsent(extra.getKey(), extra.getValue());
        }
        return values;
    }

    private static void check(MLProject.Parameter p, String value) throws InvalidProjectException {
        try {
            switch (p.type()) {
                case "float" -> Double.parseDouble(value);
                case "int" -> Long.parseLong(value);
                default -> {
                }
            }
        } catch (NumberFormatException e) {
            throw new InvalidProjectException("parameter '" + p.name() + "' must be a " + p.type() + ", got '"
                    + value + "'");
        }
    }

    /**
     * The shell command: placeholders replaced by quoted values, parameters the entry point does not declare
     * appended as {@code --name value} (MLflow's rule).
     */
    public static String command(MLProject.EntryPoint entryPoint, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(entryPoint.command());
        StringBuilder out = new StringBuilder();
        java.util.Set<String> used = new java.util.HashSet<>();
        while (m.find()) {
            String name = m.group(1);
            if (values.containsKey(name)) {
                used.add(name);
                m.appendReplacement(out, Matcher.quoteReplacement(quote(values.get(name))));
            } else {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
            }
        }
        m.appendTail(out);
        values.forEach((name, value) -> {
            if (!used.contains(name) && !entryPoint.parameters().containsKey(name)) {
                out.append(" --").append(name).append(' ').append(quote(value));
            }
        });
        return out.toString();
    }

    static String quote(String value) {
        if (value.matches("[A-Za-z0-9_.,:/=+-]+")) {
            return value;
        }
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }
}
