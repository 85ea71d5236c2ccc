package dev.fuseml.eventing.cesql;

/** SQL LIKE matching: {@code %} any run of characters, {@code _} one character, {@code \%} and {@code \_} literal. */
final class Like {
    private Like() {
    }

    static boolean matches(String value, String pattern) {
        return match(value, 0, pattern, 0);
    }

    private static boolean match(String v, int vi, String p, int pi) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '\\' && pi + 1 < p.length() && (p.charAt(pi + 1) == '%' || p.charAt(pi + 1) == '_')) {
                if (vi >= v.length() || v.charAt(vi) != p.charAt(pi + 1)) {
                    return false;
                }
                vi++;
                pi += 2;
            } else if (c == '%') {
                while (pi < p.length() && p.charAt(pi) == '%') {
                    pi++;
                }
                if (pi == p.length()) {
                    return true;
                }
                for (int start = vi; start <= v.length(); start++) {
                    if (match(v, start, p, pi)) {
                        return true;
                    }
                }
                return false;
            } else if (c == '_') {
                if (vi >= v.length()) {
                    return false;
                }
                vi++;
                pi++;
            } else {
                if (vi >= v.length() || v.charAt(vi) != c) {
                    return false;
                }
                vi++;
                pi++;
            }
        }
        return vi == v.length();
    }
}
