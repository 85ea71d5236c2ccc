package dev.fuseml.cli;

/**
 * Text that users' code wrote (training output, a failure's cause), made safe for a terminal: control characters
 * other than newline and tab are shown as {@code \xNN} instead of being sent raw, so that a project cannot move the
 * cursor, rewrite what the CLI printed, set the window title or send the terminal's answer-back sequences.
 */
final class TerminalText {
    private TerminalText() {
    }

    static String safe(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0);
            if (control) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\x%02x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
