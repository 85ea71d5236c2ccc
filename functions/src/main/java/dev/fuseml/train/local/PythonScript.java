package dev.fuseml.train.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an entry point's command as {@code python SCRIPT.py ARG...} when it is exactly that: the command MLproject
 * files have, with FuseML's quoting of parameter values (plain words, or single-quoted text). Such a command can
 * run in an interpreter started ahead; any other (a shell pipeline, {@code python -m}, interpreter options,
 * variables, another program) runs under {@code bash -c} as written.
 */
final class PythonScript {
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.,:/=+-]+|'[^']*'");
    private static final Pattern SCRIPT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./-]*\\.py");

    private PythonScript() {
    }

    /** The script and its arguments (quotes removed), or empty when the command is anything else. */
    static Optional<List<String>> argv(String command) {
        if (command == null) {
            return Optional.empty();
        }
        String[] parts = command.strip().split(" +", 2);
        if (parts.length < 2 || !parts[0].matches("python(3(\\.\\d{1,2})?)?")) {
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>();
        Matcher word = WORD.matcher(parts[1]);
        int at = 0;
        while (at < parts[1].length()) {
            if (!word.find(at) || word.start() != at) {
                return Optional.empty();
            }
            String w = word.group();
            argv.add(w.startsWith("'") ? w.substring(1, w.length() - 1) : w);
            at = word.end();
            int next = at;
            while (next < parts[1].length() && parts[1].charAt(next) == ' ') {
                next++;
            }
            if (next == at && at < parts[1].length()) {
                return Optional.empty(); // two words run together ('a'b): the shell's rules, not ours
            }
            at = next;
        }
        String script = argv.get(0);
        if (!SCRIPT.matcher(script).matches() || List.of(script.split("/")).contains("..")) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(argv));
    }
}
