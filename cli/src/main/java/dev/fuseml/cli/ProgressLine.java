package dev.fuseml.cli;

import java.io.PrintWriter;

/**
 * One line of progress (the running step, its elapsed time, its log's latest line, bytes sent): on a terminal it is
 * rewritten in place (carriage return, erase line) and cleared before anything else is printed; elsewhere (a file,
 * a CI log) each new state is a plain line of its own, and a state that did not change is not printed again.
 */
final class ProgressLine {
    private static final String ERASE = "\r\033[K";
    /** Columns a progress line may take on a terminal, so that it never wraps (and \r still reaches its start). */
    private static final int WIDTH = 100;
    private final PrintWriter out;
    private final boolean terminal;
    private String shown = "";

    ProgressLine(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Whether standard output is a terminal (an interactive console, not a pipe or a file). */
    static boolean stdoutIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try { // JDK 22+ gives a console to redirected processes too; it then says whether it is a terminal
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 17-21: a console exists only for a terminal
        }
    }

    void show(String text) {
        String line = TerminalText.safe(text).replace('\n', ' ').replace('\t', ' ');
        if (line.equals(shown)) {
            return;
        }
        shown = line;
        if (terminal) {
            out.print(ERASE + (line.length() > WIDTH ? line.substring(0, WIDTH - 1) + "…" : line));
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Prints {@code line} for good, after clearing the progress line from a terminal. */
    void println(String line) {
        clear();
        out.println(line);
        out.flush();
    }

    void clear() {
        if (terminal && !shown.isEmpty()) {
            out.print(ERASE);
            out.flush();
        }
        shown = "";
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return String.format("%.1f MiB", n / (1024.0 * 1024));
    }
}
