package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** {@code -o table|json|yaml} for listings (a picocli mixin). */
public class OutputFormat {
    public enum Format { table, json, yaml }

    /** Made when a listing is printed as JSON or YAML, not when picocli builds the command tree ({@code --help}). */
    private static final class Mappers {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    /** A table column: its heading and how to read it from one item. */
    public record Column(String heading, Function<JsonNode, String> value) {
        public static Column field(String heading, String field) {
            return new Column(heading, n -> n.hasNonNull(field) ? n.get(field).asText() : "");
        }
    }

    public void print(PrintWriter out, JsonNode items, List<Column> columns) {
        try {
            switch (format) {
                case json -> out.println(Mappers.JSON.writeValueAsString(items));
                case yaml -> out.print(Mappers.YAML.writeValueAsString(items));
                case table -> table(out, items, columns);
            }
        } catch (java.io.IOException e) {
            throw new CliException("cannot print: " + e.getMessage());
        }
        out.flush();
    }

    private static void table(PrintWriter out, JsonNode items, List<Column> columns) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(columns.stream().map(Column::heading).toList());
        for (JsonNode item : items) {
            rows.add(columns.stream().map(c -> c.value().apply(item)).toList());
        }
        int[] widths = new int[columns.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** An object's fields as {@code key=value} pairs in a table cell; numbers to four significant digits. */
    static String pairs(JsonNode object) {
        List<String> all = new ArrayList<>();
        object.fields().forEachRemaining(e -> all.add(e.getKey() + "=" + (e.getValue().isNumber()
                ? String.format("%.4g", e.getValue().asDouble()) : e.getValue().asText())));
        return String.join(" ", all);
    }
}
