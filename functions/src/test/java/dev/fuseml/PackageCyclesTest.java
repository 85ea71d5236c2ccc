package dev.fuseml;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Packages by concept, and no cycles between them: a newcomer can read the code from the steps down. */
class PackageCyclesTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.fuseml\\.[a-z.]+)\\.[A-Z]\\w*");

    @Test
    void theOrchestratorsPackagesDependOnEachOtherWithoutCycles() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(source);
                assertThat(pkg.find()).as(file + " has a package").isTrue();
                Set<String> deps = uses.computeIfAbsent(pkg.group(1), p -> new TreeSet<>());
                Matcher ref = REFERENCE.matcher(source);
                while (ref.find()) {
                    if (!ref.group(1).equals(pkg.group(1)) && !ref.group(1).startsWith("dev.fuseml.eventing")) {
                        deps.add(ref.group(1));
                    }
                }
            }
        }
        assertThat(uses).hasSizeGreaterThan(10);
        List<List<String>> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            List<String> path = pathBack(uses, start);
            if (path != null) {
                cycles.add(path);
            }
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    /** A path from {@code start} back to itself, or null. */
    private static List<String> pathBack(Map<String, Set<String>> uses, String start) {
        Deque<List<String>> todo = new ArrayDeque<>();
        todo.add(List.of(start));
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            List<String> path = todo.poll();
            for (String next : uses.getOrDefault(path.get(path.size() - 1), Set.of())) {
                List<String> longer = new ArrayList<>(path);
                longer.add(next);
                if (next.equals(start)) {
                    return longer;
                }
                if (seen.add(next)) {
                    todo.add(longer);
                }
            }
        }
        return null;
    }
}
